"""Fixtures: a real daemon (the built `oups serve`) on 127.0.0.1 over a temporary store, and clients of it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import grpc
import pytest

import oups_client

ROOT = Path(__file__).resolve().parents[3]
MAIN = ROOT / "build" / "server" / "src" / "main.js"
NODE = shutil.which("node") or "node"
#: The index most tests use: symbol-year/month, e.g. AAPL-2023/1/.
INDEX = "symbol,year:int/month:int"
#: Upper bound on the daemon's start, as a hang guard only.
START_GUARD_S = 60


@dataclass
class Daemon:
    address: str
    store_dir: Path
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def built() -> Path:
    """The built daemon (npm run build, when not built yet)."""
    if not MAIN.exists():
        subprocess.run(["npm", "run", "build"], cwd=ROOT, check=True)
    return MAIN


def start_daemon(store_dir: Path, *args: str, credentials: grpc.ChannelCredentials | None = None) -> Daemon:
    """Starts `oups serve` on a free port; retries on another port when the one picked was taken meanwhile.
    `credentials` are those a client needs to reach it (a daemon serving TLS)."""
    for _ in range(5):
        address = f"127.0.0.1:{_free_port()}"
        log = store_dir.parent / f"daemon-{address.split(':')[1]}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [NODE, str(MAIN), "serve", "--store", str(store_dir), "--listen", address, *args],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )
        channel = grpc.secure_channel(address, credentials) if credentials else grpc.insecure_channel(address)
        try:
            grpc.channel_ready_future(channel).result(timeout=START_GUARD_S)
            return Daemon(address, store_dir, process, log)
        except grpc.FutureTimeoutError:
            pass
        finally:
            channel.close()
        process.kill()
        process.wait()
    raise RuntimeError(f"the daemon did not start: {log.read_text(errors='replace')}")


def stop_daemon(daemon: Daemon) -> None:
    daemon.process.terminate()
    try:
        daemon.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        daemon.process.kill()
        daemon.process.wait()


@pytest.fixture
def tmp_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    store.mkdir()
    return store


@pytest.fixture
def daemon(built: Path, tmp_store: Path) -> Iterator[Daemon]:
    """A daemon over a fresh store with the index INDEX."""
    d = start_daemon(tmp_store, "--index", INDEX)
    yield d
    stop_daemon(d)


@pytest.fixture
def bare_daemon(built: Path, tmp_store: Path) -> Iterator[Daemon]:
    """A daemon over a fresh store without an index schema."""
    d = start_daemon(tmp_store)
    yield d
    stop_daemon(d)


@pytest.fixture
def store(daemon: Daemon) -> Iterator[oups_client.Store]:
    s = oups_client.connect(daemon.address)
    yield s
    s.close()


def run_node(script: str, *args: str, timeout: float = 120) -> str:
    """Runs a Node script of tests/node/ (against the built SDK) and returns its standard output."""
    done = subprocess.run(
        [NODE, str(Path(__file__).parent / "node" / script), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture
def scratch() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="oups-py-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)




@pytest.fixture(scope="module")
def shared_daemon(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """One daemon for a whole test module (each test uses keys of its own)."""
    store_dir = tmp_path_factory.mktemp("shared") / "store"
    store_dir.mkdir()
    d = start_daemon(store_dir, "--index", INDEX)
    yield d
    stop_daemon(d)


@pytest.fixture(scope="module")
def shared_store(shared_daemon: Daemon) -> Iterator[oups_client.Store]:
    s = oups_client.connect(shared_daemon.address)
    yield s
    s.close()


_next_month = iter(range(1, 1_000_000))


@pytest.fixture
def ds(shared_store: oups_client.Store) -> oups_client.Dataset:
    """A dataset of a key no other test of the module uses."""
    return shared_store[{"symbol": "T", "year": 2000, "month": next(_next_month)}]
