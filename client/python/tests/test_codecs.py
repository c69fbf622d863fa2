"""Files written with each codec, as pyarrow and DuckDB read them."""

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import oups_client
from conftest import INDEX, start_daemon, stop_daemon

# pyarrow's names of the daemon's codecs ("lz4" writes LZ4_RAW, which pyarrow calls LZ4).
CODECS = {"zstd": "ZSTD", "snappy": "SNAPPY", "lz4": "LZ4", "gzip": "GZIP", "brotli": "BROTLI", "none": "UNCOMPRESSED"}


def ticks(n):
    base = dt.datetime(2023, 1, 2, 9, 30)
    return pa.table(
        {
            "t": pa.array([base + dt.timedelta(seconds=s) for s in range(n)], pa.timestamp("ms")),
            "sym": pa.array([("AAPL", "MSFT", "GOOG")[i % 3] for i in range(n)]),
            "px": pa.array([100.0 + (i % 17) / 4 for i in range(n)], pa.float64()),
        }
    )


def files_of(daemon, ds):
    return [str(daemon.store_dir / "AAPL-2023" / "1" / g.file) for g in ds.describe().row_groups]


@pytest.mark.parametrize("codec", list(CODECS))
def test_pyarrow_and_duckdb_read_files_of_each_codec(daemon, codec):
    table = ticks(3000)
    with oups_client.connect(daemon.address) as store:
        ds = store["AAPL", 2023, 1]
        ds.write(table, ordered_on="t", row_group_target=1000, compression=codec)
        files = files_of(daemon, ds)
        assert ds.read().select(["t", "sym", "px"]).cast(table.schema).equals(table)
    assert len(files) == 3
    for f in files:
        meta = pq.ParquetFile(f).metadata
        assert {meta.row_group(0).column(c).compression for c in range(meta.num_columns)} == {CODECS[codec]}
    back = pa.concat_tables([pq.read_table(f) for f in files])
    assert back.column("t").equals(table.column("t"))
    assert back.column("px").equals(table.column("px"))
    assert back.column("sym").to_pylist() == table.column("sym").to_pylist()
    got = duckdb.sql(f"SELECT count(*), min(t), max(t), sum(px), count(DISTINCT sym) FROM read_parquet({files!r})").fetchone()
    assert got == (3000, dt.datetime(2023, 1, 2, 9, 30), dt.datetime(2023, 1, 2, 10, 19, 59), pytest.approx(sum(table.column("px").to_pylist())), 3)


def test_daemon_default_codec_from_the_compression_flag(tmp_store):
    daemon = start_daemon(tmp_store, "--index", INDEX, "--compression", "lz4")
    try:
        with oups_client.connect(daemon.address) as store:
            ds = store["AAPL", 2023, 1]
            ds.write(ticks(10), ordered_on="t")
            (f,) = files_of(daemon, ds)
        assert pq.ParquetFile(f).metadata.row_group(0).column(0).compression == "LZ4"
        assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{f}')").fetchone() == (10,)
    finally:
        stop_daemon(daemon)
