"""The same datasets through both SDKs: Node writes and Python reads, Python writes and Node reads, compared
value for value (tests/node/*.mjs use the built Node SDK)."""

import datetime as dt
import json
import math

import pyarrow as pa

from conftest import run_node


def as_node_json(table: pa.Table) -> dict:
    """The rows as node/rows-as-json.mjs prints them (int64 as "<n>n", timestamps in ms as numbers...)."""
    out = {}
    for name in table.column_names:
        column = table.column(name)
        type_ = column.type
        if pa.types.is_timestamp(type_):
            values = column.cast(pa.int64()).to_pylist()
        else:
            values = column.to_pylist()
        out[name] = [to_json(v, type_) for v in values]
    return out


def to_json(value, type_):
    if value is None:
        return None
    if pa.types.is_int64(type_) or pa.types.is_uint64(type_):
        return f"{value}n"
    if isinstance(value, float) and (not math.isfinite(value) or (value == 0 and math.copysign(1, value) < 0)):
        return "-0" if value == 0 else ("Infinity" if value > 0 else "-Infinity")
    return value


def expected_node_table() -> pa.Table:
    """What tests/node/write-dataset.mjs writes, built independently in Python."""
    return pa.table(
        {
            "ts": pa.array([dt.datetime(2023, 1, 2, 9, 30 + i) for i in range(7)], pa.timestamp("ms")),
            "i64": pa.array([-(2**63), 2**63 - 1, 0, None, -1, 42, 7], pa.int64()),
            "f64": pa.array([1.5, -0.0, math.inf, None, 1e300, -2.25, 3], pa.float64()),
            "text": pa.array(["a", "", None, "é", "\U0001f600", "\uffff", "z"]),
            "dict": pa.array(["x", "y", None, "x", "z", "y", "x"]).dictionary_encode(),
            "flag": pa.array([True, False, None, True, True, False, True]),
        }
    )


def test_node_writes_and_python_reads(daemon, store):
    printed = json.loads(run_node("write-dataset.mjs", daemon.address, "NODE"))
    table = store["NODE", 2023, 1].read()
    expected = expected_node_table()
    assert table.column_names == expected.column_names
    for name in expected.column_names:
        assert table.column(name).type == expected.column(name).type, name
        assert table.column(name).combine_chunks().equals(expected.column(name).combine_chunks()), name
    assert as_node_json(table) == printed


def test_python_writes_and_node_reads(daemon, store):
    table = expected_node_table().append_column("u8", pa.array([0, 255, 1, 2, 3, 4, None], pa.uint8()))
    store["PY", 2023, 1].write(table, ordered_on="ts")
    printed = json.loads(run_node("read-dataset.mjs", daemon.address, "PY"))
    assert printed["types"] == [
        "ts:Timestamp<MILLISECOND>", "i64:Int64", "f64:Float64", "text:Utf8", "dict:Dictionary<Int32, Utf8>",
        "flag:Bool", "u8:Uint8",
    ]
    assert printed["rows"] == as_node_json(table)


def test_python_updates_a_dataset_node_wrote(daemon, store):
    run_node("write-dataset.mjs", daemon.address, "MIX")
    ds = store["MIX", 2023, 1]
    update = expected_node_table().slice(5).to_pandas()
    update["f64"] = [100.0, 200.0]
    ds.write(pa.Table.from_pandas(update, schema=expected_node_table().schema, preserve_index=False), ordered_on="ts", duplicates_on=["ts"])
    printed = json.loads(run_node("read-dataset.mjs", daemon.address, "MIX"))
    assert printed["rows"]["f64"][-2:] == [100, 200]
    assert as_node_json(ds.read()) == printed["rows"]
