"""Python SDK figures: a write of N rows (default 10,000,000) and a full scan, with rows/s and the Python
process's peak memory. Runs its own daemon (the built `oups serve`) on 127.0.0.1 over a temporary store.

    npm run build && .venv/bin/python bench/python_sdk.py [--rows N] [--batch-rows N] [--json]

`npm run bench` runs it (its python phase) and puts its figures beside the Node SDK's in the bench table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import numpy as np
import pyarrow as pa

import oups_client

ROOT = Path(__file__).resolve().parents[1]
#: The Node bench's rows (bench/data.ts): four ticks per millisecond, one per symbol, dictionary-encoded symbols.
SYMBOLS = pa.array(["AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "NFLX"])
ROWS_PER_MS = 4
SCHEMA = pa.schema([
    pa.field("timestamp", pa.timestamp("ms"), nullable=False),
    pa.field("symbol", pa.dictionary(pa.int32(), pa.string()), nullable=False),
    pa.field("price", pa.float64(), nullable=False),
    pa.field("qty", pa.int32(), nullable=False),
])


def batches(rows: int, batch_rows: int):
    """The bench's ticks, made on demand so that the data is never all in memory."""
    base = np.datetime64("2024-01-02T00:00:00", "ms")
    for start in range(0, rows, batch_rows):
        n = min(batch_rows, rows - start)
        index = np.arange(start, start + n, dtype=np.int64)
        yield pa.record_batch(
            [
                pa.array(base + (index // ROWS_PER_MS) * np.timedelta64(1, "ms")),
                pa.DictionaryArray.from_arrays(pa.array((index % ROWS_PER_MS).astype(np.int32)), SYMBOLS),
                pa.array(100 + (index % 1000) / 100),
                pa.array((index % 500 + 1).astype(np.int32)),
            ],
            schema=SCHEMA,
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batch-rows", type=int, default=65_536)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    store_dir = Path(tempfile.mkdtemp(prefix="oups-bench-py-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    daemon = subprocess.Popen(
        ["node", str(ROOT / "build/server/src/main.js"), "serve", "--store", str(store_dir), "--listen", address,
         "--index", "symbol"], stdout=subprocess.DEVNULL, stderr=sys.stderr,
        env={**os.environ, "OUPS_LOG_LEVEL": "warn"},
    )
    try:
        with grpc.insecure_channel(address) as channel:
            grpc.channel_ready_future(channel).result(timeout=60)
        with oups_client.connect(address) as store:
            ds = store["AAPL"]
            started = time.perf_counter()
            reader = pa.RecordBatchReader.from_batches(SCHEMA, batches(args.rows, args.batch_rows))
            written = ds.write(reader, ordered_on="timestamp")
            write_s = time.perf_counter() - started
            write_peak = peak_rss_mb()
            started = time.perf_counter()
            scanned = sum(batch.num_rows for batch in ds.range_query())
            scan_s = time.perf_counter() - started
        figures = {
            "rows": args.rows,
            "write_rows_per_s": written.rows_received / write_s,
            "write_s": write_s,
            "scan_rows_per_s": scanned / scan_s,
            "scan_s": scan_s,
            "python_peak_rss_mb_after_write": write_peak,
            "python_peak_rss_mb": peak_rss_mb(),
        }
        assert scanned == args.rows == written.total_rows
        if args.json:
            print(json.dumps(figures))
        else:
            print(f"Python SDK write of {args.rows:,} rows: {figures['write_rows_per_s'] / 1e6:.2f} M rows/s ({write_s:.1f} s)")
            print(f"Python SDK full scan: {figures['scan_rows_per_s'] / 1e6:.2f} M rows/s ({scan_s:.1f} s)")
            print(f"Python process peak RSS: {write_peak:.0f} MB after the write, {figures['python_peak_rss_mb']:.0f} MB after the scan")
        return 0
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        shutil.rmtree(store_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
