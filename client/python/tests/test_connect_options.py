"""connect()'s token and TLS options, against a stand-in gRPC server that records what it receives."""

import shutil
import subprocess
from concurrent import futures

import grpc
import pytest

import oups_client
from oups_client._wire import SERVICE, pb


class Recorder:
    """Serves GetIndexSchema and ListKeys, and records each call's metadata."""

    def __init__(self):
        self.metadata = []

    def handler(self):
        def get_index_schema(request, context):
            self.metadata.append(dict(context.invocation_metadata()))
            return pb.GetIndexSchemaResponse(schema=oups_client.IndexSchema.parse("symbol").to_wire())

        def list_keys(request, context):
            self.metadata.append(dict(context.invocation_metadata()))
            return pb.ListKeysResponse(keys=[pb.Key(fields={"symbol": "A"})])

        methods = {
            "GetIndexSchema": grpc.unary_unary_rpc_method_handler(
                get_index_schema, pb.GetIndexSchemaRequest.FromString, pb.GetIndexSchemaResponse.SerializeToString
            ),
            "ListKeys": grpc.unary_unary_rpc_method_handler(
                list_keys, pb.ListKeysRequest.FromString, pb.ListKeysResponse.SerializeToString
            ),
        }
        return grpc.method_handlers_generic_handler(SERVICE.full_name, methods)


def serve(recorder, credentials=None):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((recorder.handler(),))
    port = server.add_secure_port("127.0.0.1:0", credentials) if credentials else server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


def test_a_token_is_sent_as_a_bearer_authorization_on_every_call():
    recorder = Recorder()
    server, address = serve(recorder)
    try:
        with oups_client.connect(address, token="s3cret") as store:
            assert store.keys() == [{"symbol": "A"}]
        assert len(recorder.metadata) == 2
        assert all(m.get("authorization") == "Bearer s3cret" for m in recorder.metadata)
        with oups_client.connect(address) as plain:
            plain.keys()
        assert "authorization" not in recorder.metadata[-1]
    finally:
        server.stop(None)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_tls_with_a_ca_and_a_server_name(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=oups-test", "-addext", "subjectAltName=DNS:oups-test"],
        check=True, capture_output=True,
    )
    recorder = Recorder()
    credentials = grpc.ssl_server_credentials([(key.read_bytes(), cert.read_bytes())])
    server, address = serve(recorder, credentials)
    try:
        tls = oups_client.TLS(ca=str(cert), server_name="oups-test")
        with oups_client.connect(address, tls=tls, token="t") as store:
            assert store.keys() == [{"symbol": "A"}]
        assert recorder.metadata[-1]["authorization"] == "Bearer t"
        # Plaintext to a TLS server, or TLS without trusting its certificate, cannot connect.
        with pytest.raises(oups_client.OupsConnectionError):
            oups_client.connect(address)
        with pytest.raises(oups_client.OupsConnectionError):
            oups_client.connect(address, tls=oups_client.TLS(server_name="oups-test"))
    finally:
        server.stop(None)


def test_a_client_certificate_needs_both_cert_and_key():
    with pytest.raises(ValueError):
        oups_client.connect("127.0.0.1:1", tls=oups_client.TLS(cert=b"x"))
