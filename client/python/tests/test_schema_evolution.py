"""Schema evolution from Python: schema_evolution="add_columns", the schema history in describe, and the row-group
files read by pyarrow.dataset with the dataset's schema."""

import grpc
import pyarrow as pa
import pyarrow.dataset as pads
import pytest

import oups_client


def first_rows():
    return pa.table({"ts": pa.array([1, 2, 3], pa.int64()), "px": pa.array([1.5, 2.5, None], pa.float32())})


def evolved_rows():
    return pa.table(
        {
            "ts": pa.array([10, 11], pa.int64()),
            "px": pa.array([0.25, 0.5], pa.float64()),
            "venue": pa.array(["X", None], pa.string()),
        }
    )


def test_a_new_column_needs_the_option_and_then_reads_back_null_in_older_rows(ds):
    ds.write(first_rows(), ordered_on="ts", row_group_target=2)
    with pytest.raises(oups_client.OupsError) as caught:
        ds.write(evolved_rows(), ordered_on="ts")
    err = caught.value
    assert (err.code, err.grpc_code) == ("SCHEMA_MISMATCH", grpc.StatusCode.FAILED_PRECONDITION)
    assert 'extra column "venue"' in err.message and 'schema_evolution="add_columns"' in err.message
    with pytest.raises(oups_client.OupsError) as bad:
        ds.write(evolved_rows(), ordered_on="ts", schema_evolution="add")
    assert bad.value.code == "INVALID_ARGUMENT"
    result = ds.write(evolved_rows(), ordered_on="ts", schema_evolution="add_columns", row_group_target=2, max_n_off_target_rgs=0)
    assert result.row_groups_rewritten == 0
    back = ds.read()
    assert back.schema.names == ["ts", "px", "venue"]
    assert back.schema.field("px").type == pa.float64()
    assert back.column("px").to_pylist() == [1.5, 2.5, None, 0.25, 0.5]
    assert back.column("venue").to_pylist() == [None, None, None, "X", None]
    assert ds.read(columns=["venue"], start=2, end=11).column("venue").to_pylist() == [None, None, "X"]
    d = ds.describe()
    history = [(v.added_columns, v.widened_columns, v.row_groups) for v in d.schema_history]
    assert history == [(["ts", "px"], [], 2), (["venue"], ["px"], 1)]
    assert d.schema_history[1].generation == result.generation
    assert d.schema_history[-1].schema.names == d.schema.names
    assert [g.schema_version for g in d.row_groups] == [0, 0, 1]


def test_pyarrow_dataset_reads_the_row_group_files_with_the_dataset_schema(daemon, tmp_store):
    with oups_client.connect(daemon.address) as store:
        ds = store[{"symbol": "AAPL", "year": 2023, "month": 1}]
        ds.write(first_rows(), ordered_on="ts", row_group_target=2)
        ds.write(evolved_rows(), ordered_on="ts", schema_evolution="add_columns", row_group_target=2, max_n_off_target_rgs=0)
        d = ds.describe()
    files = [str(tmp_store / "AAPL-2023" / "1" / g.file) for g in d.row_groups]
    table = pads.dataset(files, schema=d.schema, format="parquet").to_table()
    assert table.schema.names == ["ts", "px", "venue"]
    assert table.column("ts").to_pylist() == [1, 2, 3, 10, 11]
    assert table.column("px").to_pylist() == [1.5, 2.5, None, 0.25, 0.5]
    assert table.column("venue").to_pylist() == [None, None, None, "X", None]
