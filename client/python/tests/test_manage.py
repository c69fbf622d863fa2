"""Metadata, remove, describe, intersections; the files as pyarrow and DuckDB read them."""

import datetime as dt

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import oups_client


def series(minutes, value):
    base = dt.datetime(2023, 1, 2, 9, 30)
    return pa.table(
        {
            "t": pa.array([base + dt.timedelta(minutes=m) for m in minutes], pa.timestamp("ms")),
            "v": pa.array([value] * len(minutes), pa.int64()),
        }
    )


def test_metadata_set_update_remove(ds):
    ds.write(series([0], 1), ordered_on="t", metadata={"source": "feed", "unit": "usd"})
    assert ds.metadata == {"source": "feed", "unit": "usd"}
    assert ds.update_metadata(set={"unit": "eur", "extra": ""}, remove=["source"]) == {"unit": "eur", "extra": ""}
    ds.write(series([1], 1), ordered_on="t", remove_metadata=["extra"])
    assert ds.metadata == {"unit": "eur"}
    assert ds.describe().metadata == {"unit": "eur"}


def test_remove_deletes_the_dataset(ds):
    ds.write(series([0, 1], 1), ordered_on="t")
    ds.remove()
    with pytest.raises(oups_client.OupsError) as caught:
        ds.describe()
    assert caught.value.code == "NOT_FOUND"
    # A new dataset of another type under the same key: bounds follow its new ordered column.
    ds.write(pa.table({"t": pa.array(["a", "b", "c"])}), ordered_on="t")
    assert ds.read("b").column("t").to_pylist() == ["b", "c"]


def test_describe(ds):
    ds.write(series(range(10), 1), ordered_on="t", row_group_target=5)
    d = ds.describe()
    assert d.ordered_on == "t" and d.total_rows == 10 and len(d.row_groups) == 2
    assert d.schema == series([], 1).schema
    assert [g.rows for g in d.row_groups] == [5, 5]
    assert d.total_bytes == sum(g.bytes for g in d.row_groups) > 0
    assert d.row_groups[1].min == pd.Timestamp("2023-01-02 09:35") and d.generation == 1


def test_intersections(daemon):
    with oups_client.connect(daemon.address) as store:
        a, b, c = store["A", 2023, 1], store["B", 2023, 1], store["C", 2023, 1]
        a.write(series([0, 2, 4, 6], 1), ordered_on="t", row_group_target=2)
        b.write(series([1, 3, 5], 2), ordered_on="t", row_group_target=2)
        c.write(series([30], 3), ordered_on="t")
        start, end = dt.datetime(2023, 1, 2, 9, 30), "2023-01-02 09:40"
        intervals = list(store.intersections([a.key, b.key, c.key], start, end))
        assert len(intervals) >= 2
        assert intervals[0][0] == pd.Timestamp(start)
        assert intervals[-1][1] == pd.Timestamp(end)
        for _, _, tables in intervals:
            assert set(tables) == {a.key, b.key}  # C has no row in the range
        rows = {k: pa.concat_tables([t[k] for _, _, t in intervals]).column("v").to_pylist() for k in (a.key, b.key)}
        assert rows == {a.key: [1, 1, 1, 1], b.key: [2, 2, 2]}
        for (_, end_i, _), (start_next, _, _) in zip(intervals, intervals[1:]):
            assert end_i == start_next
        projected = list(store.intersections([a.key], columns=["v"]))
        assert projected[0][0] is None and projected[-1][1] is None
        assert len(projected) > 1 and isinstance(projected[0][1], pd.Timestamp) and projected[0][1].tz is None
        assert all(t.column_names == ["v"] for _, _, ts in projected for t in ts.values())
        assert list(store.intersections([a.key, b.key], "2023-01-02 09:31", "2023-01-02 09:31")) == []


def test_intersections_of_different_ordered_types_is_ordered_on_mismatch(daemon):
    with oups_client.connect(daemon.address) as store:
        store["A", 1, 1].write(series([0], 1), ordered_on="t")
        store["B", 1, 1].write(pa.table({"t": pa.array([1], pa.int64())}), ordered_on="t")
        with pytest.raises(oups_client.OupsError) as caught:
            list(store.intersections([{"symbol": "A", "year": 1, "month": 1}, ("B", 1, 1)]))
        assert caught.value.code == "ORDERED_ON_MISMATCH"


def test_pyarrow_and_duckdb_read_the_files_python_wrote(daemon):
    with oups_client.connect(daemon.address) as store:
        ds = store["AAPL", 2023, 1]
        table = series(range(20), 7)
        ds.write(table, ordered_on="t", row_group_target=8)
        files = [str(daemon.store_dir / "AAPL-2023" / "1" / g.file) for g in ds.describe().row_groups]
    assert len(files) == 3
    assert pa.concat_tables([pq.read_table(f) for f in files]).equals(table)
    got = duckdb.sql(f"SELECT count(*), min(t), max(t), sum(v) FROM read_parquet({files!r})").fetchone()
    assert got == (20, dt.datetime(2023, 1, 2, 9, 30), dt.datetime(2023, 1, 2, 9, 49), 140)
