"""Writes of every accepted form of rows, updates with duplicates, projections and streaming reads."""

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import oups_client


def ticks(minutes, price0=100.0):
    return pa.table(
        {
            "timestamp": pa.array([dt.datetime(2023, 1, 2, 9, 30) + dt.timedelta(minutes=m) for m in minutes], pa.timestamp("ns")),
            "symbol": pa.array(["AAPL"] * len(minutes), pa.string()),
            "price": pa.array([price0 + m for m in minutes], pa.float64()),
        }
    )


def test_write_returns_the_write_response_fields(ds):
    result = ds.write(ticks(range(10)), ordered_on="timestamp", row_group_target=4)
    assert isinstance(result, oups_client.WriteResult)
    assert (result.rows_received, result.total_rows, result.row_groups_added, result.row_groups_total) == (10, 10, 3, 3)
    assert result.row_groups_rewritten == 0 and result.generation == 1
    again = ds.write(ticks([20]), ordered_on="timestamp")
    assert again.generation == 2 and again.total_rows == 11


def test_update_with_duplicates_keeps_the_new_rows(ds):
    ds.write(ticks(range(5)), ordered_on="timestamp")
    ds.write(ticks([3, 4, 5], price0=500.0), ordered_on="timestamp", duplicates_on=["timestamp", "symbol"])
    back = ds.read()
    assert back.column("price").to_pylist() == [100.0, 101.0, 102.0, 503.0, 504.0, 505.0]
    # Without duplicates_on, equal rows are all kept.
    ds.write(ticks([5], price0=900.0), ordered_on="timestamp")
    assert ds.read().num_rows == 7


def test_every_form_of_rows_writes_the_same(shared_store):
    table = ticks(range(6))
    forms = {
        "table": table,
        "batch": table.to_batches()[0],
        "reader": pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2)),
        "iterable": iter(table.to_batches(max_chunksize=4)),
        "list": table.to_batches(max_chunksize=1),
        "dataframe": table.to_pandas(),
    }
    for month, (name, data) in enumerate(forms.items(), start=1):
        ds = shared_store[{"symbol": "FORMS", "year": 2023, "month": month}]
        assert ds.write(data, ordered_on="timestamp").rows_received == 6, name
        # pandas 3 keeps text as large_string: the values are what matter here.
        assert ds.read().cast(table.schema).equals(table), name


def test_an_empty_iterable_of_batches_is_refused(ds):
    with pytest.raises(oups_client.OupsError) as caught:
        ds.write([], ordered_on="timestamp")
    assert caught.value.code == "INVALID_ARGUMENT"


def test_an_empty_table_creates_an_empty_dataset(ds):
    ds.write(ticks([]), ordered_on="timestamp")
    d = ds.describe()
    assert d.total_rows == 0 and d.schema is not None
    assert ds.read().num_rows == 0


def test_sort_orders_unordered_rows(ds):
    ds.write(ticks([3, 1, 2, 0]), ordered_on="timestamp", sort=True)
    assert ds.read().column("price").to_pylist() == [100.0, 101.0, 102.0, 103.0]


def test_projection_returns_the_columns_in_the_order_asked(ds):
    ds.write(ticks(range(3)), ordered_on="timestamp")
    back = ds.read(columns=["price", "timestamp"])
    assert back.column_names == ["price", "timestamp"]
    empty = ds.read("2030-01-01", columns=["price"])
    assert empty.num_rows == 0 and empty.column_names == ["price"]


def test_range_query_streams_record_batches(ds):
    ds.write(ticks(range(100)), ordered_on="timestamp")
    reader = ds.range_query(max_rows_per_chunk=10)
    assert isinstance(reader, pa.RecordBatchReader)
    assert reader.schema.names == ["timestamp", "symbol", "price"]
    sizes = [batch.num_rows for batch in reader]
    assert sizes == [10] * 10


def test_a_reader_closed_early_leaves_the_store_usable(ds):
    ds.write(ticks(range(1000)), ordered_on="timestamp")
    reader = ds.range_query(max_rows_per_chunk=10)
    first = reader.read_next_batch()
    assert first.num_rows == 10
    reader.close()
    assert ds.read().num_rows == 1000


def test_pandas_round_trip_keeps_dtypes(ds):
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2023-01-02", periods=4, freq="s", tz="UTC"),
            "naive": pd.date_range("2023-01-02", periods=4, freq="ms"),
            "i64": pd.array([1, -2, 3, 2**62], dtype="Int64"),
            "i32": np.array([1, 2, 3, 4], dtype="int32"),
            "u8": np.array([0, 255, 1, 2], dtype="uint8"),
            "f32": np.array([1.5, 2.5, np.nan, 0], dtype="float32"),
            "f64": [0.1, 0.2, 0.3, None],
            "flag": [True, False, True, False],
            "text": ["a", "b", None, "d"],
            "category": pd.Categorical(["x", "y", "x", "z"]),
            "nullable": pd.array([1, None, 3, 4], dtype="Int64"),
        }
    )
    ds.write(frame, ordered_on="timestamp")
    back = ds.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    assert list(back.columns) == list(frame.columns)
    for name in frame.columns:
        if name == "category":
            assert isinstance(back[name].dtype, pd.CategoricalDtype)
            assert back[name].astype(str).tolist() == frame[name].astype(str).tolist()
            continue
        assert back[name].dtype == frame[name].dtype, name
        pd.testing.assert_series_equal(back[name], frame[name], check_names=True)


def test_a_named_dataframe_index_becomes_a_column(ds):
    frame = pd.DataFrame({"price": [1.0, 2.0]}, index=pd.DatetimeIndex(["2023-01-01", "2023-01-02"], name="timestamp"))
    ds.write(frame, ordered_on="timestamp")
    assert ds.read().column_names == ["price", "timestamp"]
    assert ds.describe().schema.metadata is None  # pandas' own metadata blob is not stored


def test_row_group_target_and_compaction(ds):
    for m in range(6):
        ds.write(ticks([m]), ordered_on="timestamp", row_group_target=100, max_n_off_target_rgs=0)
    assert len(ds.describe().row_groups) == 6
    compacted = ds.write(ticks([])  , ordered_on="timestamp", row_group_target=100, max_n_off_target_rgs=1)
    assert compacted.row_groups_total == 1 and ds.read().num_rows == 6
