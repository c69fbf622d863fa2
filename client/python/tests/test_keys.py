"""Keys: checked client-side with the daemon's rules and messages; listed, filtered and parsed back."""

import grpc
import pyarrow as pa
import pytest

import oups_client
from oups_client._wire import StoreStub, pb

BAD_KEYS = [
    {"symbol": "AAPL", "year": 2023},
    {"symbol": "AAPL", "year": 2023, "month": 1, "extra": "x"},
    {"symbol": "", "year": 2023, "month": 1},
    {"symbol": "A-B", "year": 2023, "month": 1},
    {"symbol": "A/B", "year": 2023, "month": 1},
    {"symbol": "A\\B", "year": 2023, "month": 1},
    {"symbol": "..", "year": 2023, "month": 1},
    {"symbol": "a\u0000b", "year": 2023, "month": 1},
    {"symbol": "a\u200bb", "year": 2023, "month": 1},
    {"symbol": "a\u2028b", "year": 2023, "month": 1},
    {"symbol": "a\ue000", "year": 2023, "month": 1},
    {"symbol": "x" * 129, "year": 2023, "month": 1},
    {"symbol": "\U0001f600" * 65, "year": 2023, "month": 1},
    {"symbol": "é" * 128, "year": 2023, "month": 1},
    {"symbol": "AAPL", "year": "02023", "month": 1},
    {"symbol": "AAPL", "year": "+1", "month": 1},
    {"symbol": "AAPL", "year": -1, "month": 1},
    {"symbol": "AAPL", "year": 2**53, "month": 1},
    {"symbol": "AAPL", "year": "1e3", "month": 1},
    {"symbol": "AAPL", "year": 2023, "month": "١"},
    {"symbol": "AAPL", "year": 2023, "month": "1\n"},
]


@pytest.mark.parametrize("key", BAD_KEYS, ids=range(len(BAD_KEYS)))
def test_a_bad_key_fails_before_sending_with_the_daemons_message(shared_daemon, shared_store, key):
    with pytest.raises(oups_client.OupsError) as local:
        shared_store[key]
    assert local.value.code == "INVALID_KEY" and local.value.grpc_code == grpc.StatusCode.INVALID_ARGUMENT
    # The same key sent unchecked: the daemon's verdict and message are the same.
    wire = {name: str(value) for name, value in key.items()}
    with grpc.insecure_channel(shared_daemon.address) as channel:
        with pytest.raises(grpc.RpcError) as remote:
            StoreStub(channel).Describe(pb.DescribeRequest(key=pb.Key(fields=wire)))
    assert remote.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert local.value.message == remote.value.details()


def test_a_value_of_another_type_is_refused(shared_store):
    for value in (True, 1.5, None):
        with pytest.raises(oups_client.OupsError) as caught:
            shared_store[{"symbol": "A", "year": value, "month": 1}]
        assert caught.value.code == "INVALID_KEY" and "year" in caught.value.message


def test_key_forms(shared_store):
    by_dict = shared_store[{"symbol": "KF", "year": 2023, "month": 1}]
    by_tuple = shared_store["KF", 2023, 1]
    by_keywords = shared_store.get(symbol="KF", year="2023", month=1)
    assert by_dict.key == by_tuple.key == by_keywords.key == {"symbol": "KF", "year": 2023, "month": 1}
    assert hash(by_dict.key) == hash(by_tuple.key)


def test_keys_are_listed_sorted_filtered_and_typed(daemon):
    with oups_client.connect(daemon.address) as store:
        for symbol, year, month in [("B", 2023, 10), ("A", 2024, 1), ("A", 2023, 2), ("A", 2023, 10)]:
            store[symbol, year, month].write(pa.table({"k": [1]}), ordered_on="k")
        keys = store.keys()
        assert [tuple(k.values()) for k in keys] == [("A", 2023, 2), ("A", 2023, 10), ("A", 2024, 1), ("B", 2023, 10)]
        assert all(isinstance(k["year"], int) for k in keys)
        assert [tuple(k.values()) for k in store.keys(symbol="A", year=2023)] == [("A", 2023, 2), ("A", 2023, 10)]
        assert store.keys(symbol="C") == []
        assert store[keys[0]].describe().key == keys[0]


def test_another_field_separator(bare_daemon):
    schema = oups_client.toplevel("I", {"symbol": "string", "year": "int"}, field_separator="_")
    with oups_client.connect(bare_daemon.address, schema) as store:
        ds = store["A", -5]  # negative integers need a separator other than "-"
        ds.write(pa.table({"k": [1]}), ordered_on="k")
        assert (bare_daemon.store_dir / "A_-5").is_dir()
        with pytest.raises(oups_client.OupsError, match='contains the field separator "_"'):
            store["A_B", 1]
