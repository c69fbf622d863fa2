"""Bounds of every kind, converted from the dataset's ordered column type."""

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import oups_client


def minutes_table(type_=pa.timestamp("ns")):
    base = np.datetime64("2023-01-02T09:30:00", "ns")
    stamps = [base + np.timedelta64(m, "m") for m in range(10)]
    return pa.table({"t": pa.array(stamps, pa.timestamp("ns")).cast(type_), "m": pa.array(range(10), pa.int64())})


def rows(ds, *args, **kwargs):
    return ds.read(*args, **kwargs).column("m").to_pylist()


@pytest.mark.parametrize(
    "start,end",
    [
        (dt.datetime(2023, 1, 2, 9, 32), dt.datetime(2023, 1, 2, 9, 35)),  # naive = UTC
        (dt.datetime(2023, 1, 2, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=1))), dt.datetime(2023, 1, 2, 9, 35, tzinfo=dt.timezone.utc)),
        (pd.Timestamp("2023-01-02 09:32"), pd.Timestamp("2023-01-02 04:35", tz="America/New_York")),
        (np.datetime64("2023-01-02T09:32"), np.datetime64("2023-01-02T09:35:00.000000000")),
        ("2023-01-02 09:32", "2023-01-02T09:35:00Z"),
        (pa.scalar(pd.Timestamp("2023-01-02 09:32"), pa.timestamp("ns")), "2023-01-02 09:35"),
    ],
)
@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_time_bounds_on_a_timestamp_column(ds, start, end, unit):
    ds.write(minutes_table(pa.timestamp(unit)), ordered_on="t")
    assert rows(ds, start, end) == [2, 3, 4]
    assert rows(ds, start, end, end_inclusive=True) == [2, 3, 4, 5]
    assert rows(ds, start) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert rows(ds, end=end) == [0, 1, 2, 3, 4]


def test_sub_unit_bounds_round_without_changing_which_rows(ds):
    ds.write(minutes_table(pa.timestamp("s")), ordered_on="t")
    # 09:31:59.999999999 is after 09:31:00 and before 09:32:00: the first row in range is 09:32.
    assert rows(ds, np.datetime64("2023-01-02T09:31:59.999999999"), "2023-01-02 09:33") == [2]


def test_an_int_bound_on_a_timestamp_column_is_a_raw_value_in_its_unit(ds):
    table = minutes_table(pa.timestamp("s"))
    ds.write(table, ordered_on="t")
    raw = table.column("t").cast(pa.int64()).to_pylist()
    assert rows(ds, raw[2], raw[5]) == [2, 3, 4]


def test_a_timestamp_column_with_a_time_zone(ds):
    ds.write(minutes_table(pa.timestamp("ms", "Asia/Tokyo")), ordered_on="t")
    assert rows(ds, pd.Timestamp("2023-01-02 18:32", tz="Asia/Tokyo"), dt.datetime(2023, 1, 2, 9, 34)) == [2, 3]
    group = ds.describe().row_groups[0]
    assert group.min == pd.Timestamp("2023-01-02 09:30", tz="UTC") and str(group.min.tz) == "Asia/Tokyo"


def test_describe_gives_bounds_of_the_column_type(ds):
    ds.write(minutes_table(), ordered_on="t")
    group = ds.describe().row_groups[0]
    assert group.min == pd.Timestamp("2023-01-02 09:30") and group.min.tz is None
    assert group.max == pd.Timestamp("2023-01-02 09:39")


def test_bounds_before_1970_and_beyond_the_nanosecond_range(ds):
    table = pa.table({"t": pa.array([-(10**11), -1, 0, 10**11], pa.timestamp("s")), "m": [0, 1, 2, 3]})
    ds.write(table, ordered_on="t")
    assert rows(ds, dt.datetime(1969, 12, 31, 23, 59, 59), dt.datetime(1970, 1, 1, 0, 0, 1)) == [1, 2]
    d = ds.describe()
    assert d.row_groups[0].min.year < 1000 and d.row_groups[-1].max.year > 3000


@pytest.mark.parametrize(
    "type_,start,end,expected",
    [
        (pa.int64(), 2, 5, [2, 3, 4]),
        (pa.int64(), 1.5, 4.5, [2, 3, 4]),
        (pa.int32(), np.int32(2), np.int64(5), [2, 3, 4]),
        (pa.uint64(), 2, 5.0, [2, 3, 4]),
        (pa.float64(), 2, 4.5, [2, 3, 4]),
        (pa.float32(), 1.5, 5, [2, 3, 4]),
    ],
)
def test_numeric_bounds(ds, type_, start, end, expected):
    ds.write(pa.table({"k": pa.array(range(10), type_), "m": pa.array(range(10), pa.int64())}), ordered_on="k")
    assert rows(ds, start, end) == expected
    group = ds.describe().row_groups[0]
    expected_kind = float if pa.types.is_floating(type_) else int
    assert type(group.min) is expected_kind and group.max == 9


@pytest.mark.parametrize("type_", [pa.string(), pa.large_string(), pa.dictionary(pa.int32(), pa.string())])
def test_text_bounds(ds, type_):
    values = pa.array(["a", "b", "c", "é", "\uffff", "\U0001f600"]).cast(type_)
    ds.write(pa.table({"s": values, "m": pa.array(range(6), pa.int64())}), ordered_on="s")
    assert rows(ds, "b", "é") == [1, 2]
    assert rows(ds, "\uffff", end_inclusive=True) == [4, 5]  # code point order: U+FFFF before U+1F600
    assert ds.describe().row_groups[0].max == "\U0001f600"


@pytest.mark.parametrize("type_", [pa.date32(), pa.date64()])
def test_date_bounds(ds, type_):
    days = [dt.date(2023, 1, d) for d in range(1, 11)]
    ds.write(pa.table({"d": pa.array(days, type_), "m": pa.array(range(10), pa.int64())}), ordered_on="d")
    assert rows(ds, dt.date(2023, 1, 3), dt.date(2023, 1, 6)) == [2, 3, 4]
    assert rows(ds, "2023-01-03", dt.datetime(2023, 1, 5, 12)) == [2, 3, 4]
    assert rows(ds, dt.datetime(2023, 1, 2, 12), pd.Timestamp("2023-01-05")) == [2, 3]
    group = ds.describe().row_groups[0]
    assert group.min == dt.date(2023, 1, 1) and group.max == dt.date(2023, 1, 10)


def test_invalid_bounds_are_invalid_argument(ds):
    ds.write(pa.table({"k": pa.array(range(3), pa.float64())}), ordered_on="k")
    for start, end in [(float("nan"), None), (5, 1)]:
        with pytest.raises(oups_client.OupsError) as caught:
            ds.read(start, end)
        assert caught.value.code == "INVALID_ARGUMENT"
    with pytest.raises(oups_client.OupsError) as caught:
        ds.read(True)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert rows_equal_empty(ds)


def rows_equal_empty(ds):
    return ds.read(1, 1).num_rows == 0


def test_the_column_type_is_learnt_once(ds, monkeypatch):
    ds.write(minutes_table(), ordered_on="t")
    calls = []
    original = ds.describe
    monkeypatch.setattr(ds, "describe", lambda **kw: calls.append(1) or original(**kw))
    for _ in range(3):
        ds.read("2023-01-02 09:31", "2023-01-02 09:33")
    assert len(calls) == 1
