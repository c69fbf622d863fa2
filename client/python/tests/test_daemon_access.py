"""TLS, client certificates and bearer tokens against the real daemon (`oups serve --tls-* --auth-token-file`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import grpc
import pyarrow as pa
import pytest

import oups_client

from conftest import INDEX, start_daemon, stop_daemon

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make certificates")

KEY = {"symbol": "TLS", "year": 2024, "month": 1}


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _signed(dir: Path, name: str, ca: str, extensions: str) -> None:
    """`name`.pem and `name`.key: a certificate signed by the CA `ca`, with `extensions`."""
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=dir)
    (dir / f"{name}.ext").write_text(extensions + "\n")
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
             "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=dir)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1, a client certificate of that CA, and one of another CA."""
    dir = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                 "-days", "2", "-subj", f"/CN={ca}", cwd=dir)
    _signed(dir, "server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth")
    _signed(dir, "client", "ca", "extendedKeyUsage=clientAuth")
    _signed(dir, "stranger", "other-ca", "extendedKeyUsage=clientAuth")
    return dir


def _ticks(n: int) -> pa.Table:
    return pa.table({"timestamp": pa.array(range(n), pa.timestamp("ns")), "price": [float(i) for i in range(n)]})


def test_tokens_the_daemon_requires_unknown_and_read_only_tokens_refused_with_their_codes(built, tmp_store, tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# role per token\nreader-t0ken read\nwriter-t0ken write\n")
    daemon = start_daemon(tmp_store, "--index", INDEX, "--auth-token-file", str(tokens))
    try:
        with oups_client.connect(daemon.address, token="writer-t0ken") as writer:
            assert writer.index is not None
            writer[KEY].write(_ticks(5), ordered_on="timestamp")
        for token in (None, "wrong-t0ken"):
            with pytest.raises(oups_client.OupsError) as refused:
                oups_client.connect(daemon.address, token=token).keys()
            assert refused.value.code == "UNAUTHENTICATED"
            assert refused.value.grpc_code == grpc.StatusCode.UNAUTHENTICATED
        with oups_client.connect(daemon.address, token="reader-t0ken") as reader:
            assert reader[KEY].read().num_rows == 5
            with pytest.raises(oups_client.OupsError) as forbidden:
                reader[KEY].write(_ticks(7), ordered_on="timestamp")
            assert forbidden.value.code == "FORBIDDEN"
            assert forbidden.value.grpc_code == grpc.StatusCode.PERMISSION_DENIED
            with pytest.raises(oups_client.OupsError) as not_removed:
                reader[KEY].remove()
            assert not_removed.value.code == "FORBIDDEN"
            assert reader[KEY].read().num_rows == 5
        log = daemon.log.read_text(errors="replace")
        assert "t0ken" not in log
    finally:
        stop_daemon(daemon)


def test_mutual_tls_a_client_certificate_of_the_daemons_ca_is_served_others_are_refused(built, tmp_store, pki):
    ca, client = pki / "ca.pem", (pki / "client.pem", pki / "client.key")
    credentials = grpc.ssl_channel_credentials(
        root_certificates=ca.read_bytes(), private_key=client[1].read_bytes(), certificate_chain=client[0].read_bytes()
    )
    daemon = start_daemon(
        tmp_store, "--index", INDEX, "--tls-cert", str(pki / "server.pem"), "--tls-key", str(pki / "server.key"),
        "--tls-client-ca", str(ca), credentials=credentials,
    )
    try:
        with oups_client.connect(daemon.address, tls=oups_client.TLS(ca=str(ca), cert=str(client[0]), key=str(client[1]))) as store:
            store[KEY].write(_ticks(3), ordered_on="timestamp")
            assert store[KEY].read().num_rows == 3
        refused = [
            oups_client.TLS(ca=str(ca)),  # no client certificate
            oups_client.TLS(ca=str(ca), cert=str(pki / "stranger.pem"), key=str(pki / "stranger.key")),  # another CA's
            oups_client.TLS(ca=str(pki / "other-ca.pem"), cert=str(client[0]), key=str(client[1])),  # daemon not trusted
        ]
        for tls in refused:
            with pytest.raises(oups_client.OupsConnectionError):
                oups_client.connect(daemon.address, tls=tls, timeout=20).keys()
        with pytest.raises(oups_client.OupsConnectionError):
            oups_client.connect(daemon.address, timeout=20).keys()  # plaintext to a TLS daemon
    finally:
        stop_daemon(daemon)
