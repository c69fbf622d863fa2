"""Every error class the daemon can be made to send, with its code; connection failures."""

import socket

import grpc
import pyarrow as pa
import pytest

import oups_client
from conftest import start_daemon, stop_daemon


def table(values, name="k"):
    return pa.table({name: pa.array(values, pa.int64()), "v": pa.array([float(x) for x in values])})


def expect(code, grpc_code, call, *args, **kwargs):
    with pytest.raises(oups_client.OupsError) as caught:
        call(*args, **kwargs)
    err = caught.value
    assert (err.code, err.grpc_code) == (code, grpc_code), err
    assert err.message and str(err).startswith(f"{code}: ")
    return err


def test_unordered_input(ds):
    err = expect("UNORDERED_INPUT", grpc.StatusCode.INVALID_ARGUMENT, ds.write, table([1, 3, 2]), ordered_on="k")
    assert '"k"' in err.message
    expect("NOT_FOUND", grpc.StatusCode.NOT_FOUND, ds.describe)  # nothing committed


def test_schema_mismatch(ds):
    ds.write(table([1, 2]), ordered_on="k")
    other = pa.table({"k": pa.array([3], pa.int64()), "v": pa.array(["text"])})
    err = expect("SCHEMA_MISMATCH", grpc.StatusCode.FAILED_PRECONDITION, ds.write, other, ordered_on="k")
    assert '"v"' in err.message
    assert ds.read().num_rows == 2


def test_ordered_on_mismatch(ds):
    ds.write(table([1, 2]), ordered_on="k")
    expect("ORDERED_ON_MISMATCH", grpc.StatusCode.FAILED_PRECONDITION, ds.write, pa.table({"k": [3], "v": [1.0]}).cast(ds.describe().schema), ordered_on="v")


def test_not_found(ds):
    for call in (ds.describe, ds.read, lambda: ds.metadata, ds.remove):
        expect("NOT_FOUND", grpc.StatusCode.NOT_FOUND, call)


def test_invalid_argument(ds):
    ds.write(table([1, 2]), ordered_on="k")
    expect("INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT, ds.read, columns=["nope"])
    expect("INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT, ds.read, 5, 1)
    expect("INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT, ds.write, table([3]), ordered_on="k", compression="lzma")


def test_metadata_too_large(built, tmp_store):
    daemon = start_daemon(tmp_store, "--index", "symbol", "--metadata-max-keys", "2")
    try:
        with oups_client.connect(daemon.address) as store:
            ds = store["A"]
            ds.write(table([1]), ordered_on="k", metadata={"a": "1"})
            expect("METADATA_TOO_LARGE", grpc.StatusCode.INVALID_ARGUMENT, ds.update_metadata, set={"b": "2", "c": "3"})
            assert ds.metadata == {"a": "1"}
    finally:
        stop_daemon(daemon)


def test_not_initialized_and_init(bare_daemon):
    with oups_client.connect(bare_daemon.address) as store:
        assert store.index is None
        expect("NOT_INITIALIZED", grpc.StatusCode.FAILED_PRECONDITION, store.get, symbol="A")
        # The daemon says the same for a call that needs the schema.
        expect("NOT_INITIALIZED", grpc.StatusCode.FAILED_PRECONDITION, store.keys)
        assert store.init("symbol,year:int") is True
        assert store.init("symbol,year:int") is False
        assert [f.name for f in store.index.fields] == ["symbol", "year"]
        expect("SCHEMA_MISMATCH", grpc.StatusCode.FAILED_PRECONDITION, store.init, "other")


def test_connect_with_another_index_is_schema_mismatch(daemon):
    err = expect("SCHEMA_MISMATCH", grpc.StatusCode.FAILED_PRECONDITION, oups_client.connect, daemon.address, "symbol")
    assert "symbol:string,year:int/month:int" in err.message


def test_connect_with_an_index_initialises_an_empty_store(bare_daemon):
    schema = oups_client.toplevel("DataIndex", {"symbol": "string", "year": "int"}, {"month": "int"})
    with oups_client.connect(bare_daemon.address, schema) as store:
        assert store.index == schema
    with oups_client.connect(bare_daemon.address, "symbol,year:int/month:int") as again:
        assert again.index.same_layout(schema)


def test_an_unreachable_daemon_is_a_connection_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but never listening: connections are refused
        with pytest.raises(oups_client.OupsConnectionError) as caught:
            oups_client.connect(f"127.0.0.1:{port}")
    assert caught.value.code == "UNAVAILABLE" and caught.value.grpc_code == grpc.StatusCode.UNAVAILABLE
    assert isinstance(caught.value, oups_client.OupsError)


def test_a_daemon_gone_midway_is_a_connection_error(built, tmp_store):
    daemon = start_daemon(tmp_store, "--index", "symbol")
    store = oups_client.connect(daemon.address)
    try:
        store["A"].write(table([1]), ordered_on="k")
        stop_daemon(daemon)
        with pytest.raises(oups_client.OupsConnectionError):
            store["A"].describe()
    finally:
        store.close()


def test_rows_that_pyarrow_cannot_encode_are_invalid_argument(ds):
    first = table([1]).to_batches()[0]
    other = pa.table({"x": [1]}).to_batches()[0]
    err = expect("INVALID_ARGUMENT", grpc.StatusCode.INVALID_ARGUMENT, ds.write, [first, other], ordered_on="k")
    assert "schema" in err.message
    expect("NOT_FOUND", grpc.StatusCode.NOT_FOUND, ds.describe)


def test_a_write_failing_midway_commits_nothing(ds):
    ds.write(table([1, 2]), ordered_on="k")

    def batches():
        yield table([3]).to_batches()[0]
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        ds.write(batches(), ordered_on="k")
    assert ds.read().column("k").to_pylist() == [1, 2]
