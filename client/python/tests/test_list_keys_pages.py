"""Store.keys() goes through ListKeys page after page, packed pages or Key messages alike."""

from __future__ import annotations

from concurrent import futures

import grpc
import pyarrow as pa

import oups_client
import oups_client.store
from oups_client._wire import pb

KEYS = [("A", 2023, 1), ("A", 2023, 2), ("A", 2023, 10), ("A", 2024, 1), ("B", 1, 1), ("B", 1, 2), ("C\u00e9\u4e2d", 5, 5)]


def test_keys_come_page_after_page_in_packed_pages(daemon, monkeypatch):
    with oups_client.connect(daemon.address) as store:
        for key in KEYS:
            store[key].write(pa.table({"k": [1]}), ordered_on="k")
        asked: list[pb.ListKeysRequest] = []
        answered: list[pb.ListKeysResponse] = []
        unary = store._unary

        def spy(method, request, timeout=None):
            response = unary(method, request, timeout)
            if method == "ListKeys":
                asked.append(request)
                answered.append(response)
            return response

        monkeypatch.setattr(store, "_unary", spy)
        monkeypatch.setattr(oups_client.store, "LIST_KEYS_PAGE_SIZE", 2)
        keys = store.keys()
        assert [tuple(k.values()) for k in keys] == KEYS
        assert all(isinstance(k["year"], int) for k in keys)
        assert len(asked) == 4 and all(request.packed and request.page_size == 2 for request in asked)
        assert [request.page_token for request in asked[1:]] == [response.next_page_token for response in answered[:-1]]
        assert all(list(r.packed_fields) == ["symbol", "year", "month"] and not r.keys for r in answered)
        assert [tuple(k.values()) for k in store.keys(symbol="A", year=2023)] == KEYS[:3]
        assert store.keys(symbol="nosuch") == []


def test_keys_of_a_daemon_that_answers_key_messages():
    """A daemon from before packed pages ignores `packed` and answers Key messages, two per page here."""
    schema = oups_client.toplevel("TestIndex", {"symbol": "string", "year": "int"}, {"month": "int"})
    wire = [{"symbol": s, "year": str(y), "month": str(m)} for s, y, m in KEYS]
    asked: list[pb.ListKeysRequest] = []

    def get_index_schema(request, context):
        return pb.GetIndexSchemaResponse(schema=schema.to_wire())

    def list_keys(request, context):
        asked.append(request)
        start = int(request.page_token or "0")
        page = wire[start : start + 2]
        token = str(start + 2) if start + 2 < len(wire) else ""
        return pb.ListKeysResponse(keys=[pb.Key(fields=fields) for fields in page], next_page_token=token)

    handlers = {
        "GetIndexSchema": grpc.unary_unary_rpc_method_handler(
            get_index_schema, pb.GetIndexSchemaRequest.FromString, pb.GetIndexSchemaResponse.SerializeToString
        ),
        "ListKeys": grpc.unary_unary_rpc_method_handler(
            list_keys, pb.ListKeysRequest.FromString, pb.ListKeysResponse.SerializeToString
        ),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("oups.v1.StoreService", handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with oups_client.connect(f"127.0.0.1:{port}") as store:
            assert [tuple(k.values()) for k in store.keys()] == KEYS
        assert len(asked) == 4 and all(request.packed for request in asked)
    finally:
        server.stop(None)
