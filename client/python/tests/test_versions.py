"""Versions from Python: reading a generation, an instant or a snapshot; ListVersions, RestoreVersion, snapshots, and
the files of a version under a lease, read by pyarrow while the daemon keeps writing."""

from __future__ import annotations

import datetime as dt
import os
import random
import threading

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import oups_client
from oups_client import AsOf, Generation, RetentionPolicy, Snapshot

from conftest import INDEX, start_daemon, stop_daemon

BASE = dt.datetime(2024, 1, 2)


def rows(start: int, n: int, value: int) -> pa.Table:
    return pa.table(
        {
            "t": pa.array([BASE + dt.timedelta(seconds=start + i) for i in range(n)], pa.timestamp("ms")),
            "v": pa.array([value] * n, pa.int64()),
        }
    )


def test_version_selectors_read_older_generations(ds):
    g1 = ds.write(rows(0, 3, 1), ordered_on="t", metadata={"step": "one"}).generation
    g2 = ds.write(rows(3, 2, 2), ordered_on="t", metadata={"step": "two"}).generation
    assert g2 == g1 + 1
    for version in (g1, Generation(g1)):
        assert ds.read(version=version).column("v").to_pylist() == [1, 1, 1]
        assert ds.describe(version=version).generation == g1
        assert ds.get_metadata(version=version) == {"step": "one"}
    d = ds.describe(version=g1)
    assert d.current_generation == g2 and d.total_rows == 3
    assert isinstance(d.committed_at, pd.Timestamp) and str(d.committed_at.tz) == "UTC"
    current = ds.describe()
    assert current.generation == g2 and current.total_rows == 5 and current.retained_versions >= 2
    # As of the commit of g1 (and of a time just before g2's): g1; as a datetime or a pandas Timestamp.
    committed = d.committed_at
    assert ds.describe(version=AsOf(committed)).generation == g1
    assert ds.describe(version=committed.to_pydatetime()).generation == g1
    assert ds.describe(version=AsOf(committed.isoformat())).generation == g1
    assert ds.to_pandas(version=committed)["v"].tolist() == [1, 1, 1]
    assert ds.metadata == {"step": "two"}


def test_a_version_no_longer_retained_is_version_not_found(ds):
    ds.write(rows(0, 1, 1), ordered_on="t")
    with pytest.raises(oups_client.OupsError) as caught:
        ds.describe(version=Generation(10_000))
    assert caught.value.code == "VERSION_NOT_FOUND"
    with pytest.raises(oups_client.OupsError) as caught:
        ds.read(version=AsOf(dt.datetime(2000, 1, 1)))
    assert caught.value.code == "VERSION_NOT_FOUND"
    with pytest.raises(oups_client.OupsError) as caught:
        ds.read(version=Snapshot("no-such-snapshot"))
    assert caught.value.code == "SNAPSHOT_NOT_FOUND"


def test_bad_versions_are_refused_before_sending(ds):
    for bad in (True, 1.5, Generation(-1), Snapshot(""), object()):
        with pytest.raises(oups_client.OupsError) as caught:
            ds.describe(version=bad)
        assert caught.value.code == "INVALID_ARGUMENT"


def test_list_versions_and_restore(ds):
    w1 = ds.write(rows(0, 4, 1), ordered_on="t")
    w2 = ds.write(rows(2, 4, 2), ordered_on="t", duplicates_on=["t"])
    ds.update_metadata(set={"k": "v"})
    versions = ds.list_versions()
    assert versions.generations[-3:] == [w1.generation, w2.generation, w2.generation + 1]
    assert versions.current.current and not versions[-2].current
    assert len(versions) == len(versions.versions) and list(versions)[-1] == versions.current
    write = versions[-2]
    assert write.change is not None and write.change.operation == "write" and write.change.rows_received == 4
    assert write.total_rows == 6 and write.row_groups >= 1 and write.total_bytes > 0
    assert versions.current.change.operation == "update-metadata" and versions.current.change.metadata_changed
    assert isinstance(versions.retention, RetentionPolicy) and versions.retention.generations is not None
    restored = ds.restore_version(w1.generation)
    assert restored.restored_generation == w1.generation and restored.total_rows == 4
    assert ds.read().column("v").to_pylist() == [1, 1, 1, 1] and ds.metadata == {}
    last = ds.list_versions().current
    assert last.generation == restored.generation and last.change.operation == "restore"
    assert last.change.restored_from == w1.generation
    # An undo is a commit like any other: undo it.
    ds.restore_version(restored.generation - 1)
    assert ds.read().column("v").to_pylist() == [1, 1, 2, 2, 2, 2] and ds.metadata == {"k": "v"}
    with pytest.raises(oups_client.OupsError) as caught:
        ds.restore_version(None)
    assert caught.value.code == "INVALID_ARGUMENT"


def test_retention_override_on_write_and_update_metadata(ds):
    ds.write(rows(0, 1, 1), ordered_on="t", retention=RetentionPolicy(generations=3, duration=dt.timedelta(0)))
    d = ds.describe()
    assert d.retention_override == RetentionPolicy(generations=3, duration=pd.Timedelta(0))
    assert d.retention.generations == 3
    ds.update_metadata(retention=RetentionPolicy())
    assert ds.describe().retention_override is None


def test_snapshots(daemon):
    with oups_client.connect(daemon.address) as store:
        a, b = store["A", 2024, 1], store["B", 2024, 1]
        ga = a.write(rows(0, 2, 1), ordered_on="t").generation
        gb = b.write(rows(0, 3, 1), ordered_on="t").generation
        snap = store.create_snapshot("eod")
        assert snap.name == "eod" and snap.dataset_count == 2 and isinstance(snap.created_at, pd.Timestamp)
        assert snap.generation_of(a.key) == ga and snap.generation_of({"symbol": "B", "year": 2024, "month": 1}) == gb
        only_a = store.create_snapshot("only-a", [a.key])
        assert [dict(d.key) for d in only_a.datasets] == [dict(a.key)]
        by_prefix = store.create_snapshot("prefix-b", prefix={"symbol": "B"})
        assert by_prefix.dataset_count == 1
        a.write(rows(2, 2, 2), ordered_on="t")
        assert a.read(version=Snapshot("eod")).num_rows == 2 and a.read(version="eod").num_rows == 2
        assert a.read().num_rows == 4
        walked = list(store.intersections([a.key, b.key], version=Snapshot("eod")))
        assert sum(t[a.key].num_rows for _, _, t in walked if a.key in t) == 2
        assert [s.name for s in store.list_snapshots()] == ["eod", "only-a", "prefix-b"]
        assert store.list_snapshots()[0].datasets == []
        assert len(store.list_snapshots(include_datasets=True)[0].datasets) == 2
        with pytest.raises(oups_client.OupsError) as caught:
            store.create_snapshot("eod")
        assert caught.value.code == "ALREADY_EXISTS"
        with pytest.raises(oups_client.OupsError) as caught:
            b.read(version="only-a")
        assert caught.value.code == "SNAPSHOT_NOT_FOUND"
        for name in ("eod", "only-a", "prefix-b"):
            store.delete_snapshot(name)
        assert store.list_snapshots() == []
        with pytest.raises(oups_client.OupsError) as caught:
            store.delete_snapshot("eod")
        assert caught.value.code == "SNAPSHOT_NOT_FOUND"


def test_list_files_lease_is_a_context_manager(ds):
    ds.write(rows(0, 10, 1), ordered_on="t", row_group_target=4)
    with ds.list_files(lease_duration=60) as files:
        assert files.generation == ds.describe().generation and files.total_rows == 10
        assert [f.rows for f in files.files] == [4, 4, 2] and files.ordered_on == "t"
        assert files.files[0].min == pd.Timestamp(BASE) and all(f.path.endswith(".parquet") for f in files.files)
        assert all(os.path.isabs(p) and os.path.exists(p) for p in files.paths)
        assert pq.read_table(files.paths).column("v").to_pylist() == [1] * 10
        before = files.lease.expires_at
        assert files.renew(dt.timedelta(minutes=10)) > before
        lease_id = files.lease.id
    # Released on leaving the block: renewing it now fails, releasing again says it was not held.
    with pytest.raises(oups_client.OupsError) as caught:
        files.renew()
    assert caught.value.code == "LEASE_NOT_FOUND" and lease_id in repr(files.lease)
    assert files.release() is False


def test_one_lease_for_many_datasets(daemon):
    with oups_client.connect(daemon.address) as store:
        keys = [store.key(symbol=s, year=2024, month=1) for s in ("A", "B", "C")]
        for n, key in enumerate(keys, start=1):
            store[key].write(rows(0, n, n), ordered_on="t")
        store.create_snapshot("all")
        for key in keys:
            store[key].write(rows(100, 5, 9), ordered_on="t")
        with store.list_files(keys, version=Snapshot("all")) as lease:
            assert list(lease.datasets) == keys
            assert {dict(k)["symbol"]: pq.read_table(f.paths).num_rows for k, f in lease.datasets.items()} == {"A": 1, "B": 2, "C": 3}
            assert len(lease.paths) == 3
            extra = lease.add(keys[0])
            assert extra.lease is lease and extra.total_rows == 6
        with pytest.raises(oups_client.OupsError) as caught:
            lease.renew()
        assert caught.value.code == "LEASE_NOT_FOUND"
        store.delete_snapshot("all")


def test_pyarrow_reads_the_listed_version_exactly_while_a_writer_commits(built, tmp_store):
    """Retention 0: once the next commit lands, only the lease keeps a listed version's files on disk."""
    reads = int(os.environ.get("OUPS_ENGINE_READS", "200"))
    seed = int(os.environ.get("OUPS_ENGINE_SEED", random.randrange(2**31)))
    print(f"OUPS_ENGINE_SEED={seed}")
    rng = random.Random(seed)
    daemon = start_daemon(tmp_store, "--index", INDEX, "--retain-generations", "0", "--retain-for", "0")
    store = oups_client.connect(daemon.address)
    ds = store["PA", 2024, 1]
    expected: dict[int, tuple[int, int]] = {}
    model: dict[int, int] = {}
    lock = threading.Condition()
    state = {"committed": 0, "reading": True, "error": None}

    def write_next(write_id: int) -> None:
        n = rng.randrange(10, 150)
        last = max(model) if model else -1
        start = rng.randrange(0, last + 1) if model and rng.random() < 0.4 else last + 1
        step = rng.randrange(1, 4)
        seconds = [start + i * step for i in range(n)]
        table = pa.table(
            {
                "t": pa.array([BASE + dt.timedelta(seconds=s) for s in seconds], pa.timestamp("ms")),
                "v": pa.array([write_id] * n, pa.int64()),
            }
        )
        generation = ds.write(table, ordered_on="t", duplicates_on=["t"], row_group_target=64).generation
        for s in seconds:
            model[s] = write_id
        with lock:
            expected[generation] = (len(model), sum(model.values()))
            state["committed"] = generation
            lock.notify_all()

    def writer() -> None:
        write_id = 2
        try:
            while state["reading"]:
                write_next(write_id)
                write_id += 1
        except BaseException as err:  # noqa: BLE001 - reported by the test below
            with lock:
                state["error"] = err
                lock.notify_all()

    write_next(1)
    thread = threading.Thread(target=writer)
    thread.start()
    seen: list[tuple[int, int, int]] = []
    try:
        for i in range(reads):
            with ds.list_files() as files:
                if i % 2 == 1:
                    # Wait for a newer commit: the listed version is then held by the lease alone.
                    with lock:
                        assert lock.wait_for(lambda: state["committed"] > files.generation or state["error"], timeout=120)
                    assert state["error"] is None, state["error"]
                table = pq.read_table(files.paths)
                seen.append((files.generation, table.num_rows, pc.sum(table.column("v")).as_py() or 0))
    finally:
        state["reading"] = False
        thread.join(timeout=120)
        store.close()
        stop_daemon(daemon)
    assert state["error"] is None, state["error"]
    for generation, n, total in seen:
        assert (n, total) == expected[generation], f"generation {generation}"
    assert len({g for g, _, _ in seen}) >= reads // 2


def test_list_files_of_a_version_and_a_snapshot_survive_retention_zero(built, tmp_store):
    daemon = start_daemon(tmp_store, "--index", INDEX, "--retain-generations", "0", "--retain-for", "0")
    try:
        with oups_client.connect(daemon.address) as store:
            ds = store["Z", 2024, 1]
            first = ds.write(rows(0, 8, 1), ordered_on="t", row_group_target=4).generation
            store.create_snapshot("keep")
            with ds.list_files(version=first) as leased:
                for step in range(5):
                    ds.write(rows(0, 8, 2 + step), ordered_on="t", duplicates_on=["t"], row_group_target=4)
                assert pq.read_table(leased.paths).column("v").to_pylist() == [1] * 8
            # Retention 0: the old generation is gone but for the snapshot.
            assert ds.read(version=Snapshot("keep")).column("v").to_pylist() == [1] * 8
            assert [v.generation for v in ds.list_versions()] == [first, ds.describe().generation]
            store.delete_snapshot("keep")
            with pytest.raises(oups_client.OupsError) as caught:
                ds.read(version=first)
            assert caught.value.code == "VERSION_NOT_FOUND"
    finally:
        stop_daemon(daemon)
