"""A large write is streamed in bounded chunks: the client's memory stays flat whatever the number of rows."""

import tracemalloc

import numpy as np
import pyarrow as pa

from oups_client import DEFAULT_CHUNK_BYTES
from oups_client.ipc import ipc_chunks

ROWS_PER_BATCH = 65_536
BATCHES = 64  # 4,194,304 rows, 64 MiB of column data
CHUNK = 1024 * 1024
SCHEMA = pa.schema([("t", pa.int64()), ("v", pa.float64())])


def generated(peaks):
    """Batches made on demand, recording the Arrow memory in use at each step."""
    for i in range(BATCHES):
        start = i * ROWS_PER_BATCH
        t = np.arange(start, start + ROWS_PER_BATCH, dtype=np.int64)
        yield pa.record_batch([pa.array(t), pa.array(t * 0.5)], schema=SCHEMA)
        peaks.append(pa.total_allocated_bytes())


def test_a_large_reader_is_written_with_flat_memory(ds):
    total = ROWS_PER_BATCH * BATCHES * 16
    peaks = []
    tracemalloc.start()
    try:
        reader = pa.RecordBatchReader.from_batches(SCHEMA, generated(peaks))
        result = ds.write(reader, ordered_on="t", chunk_bytes=CHUNK)
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.rows_received == ROWS_PER_BATCH * BATCHES == result.total_rows
    assert len(peaks) == BATCHES
    # Bounded by a few batches and chunks (1 MiB each here), far below the 64 MiB written.
    assert max(peaks) - min(peaks) < 8 * CHUNK, (max(peaks), min(peaks))
    assert python_peak < 16 * CHUNK, python_peak
    last = ds.read(ROWS_PER_BATCH * BATCHES - 2)
    assert last.column("v").to_pylist() == [(ROWS_PER_BATCH * BATCHES - 2) * 0.5, (ROWS_PER_BATCH * BATCHES - 1) * 0.5]


def test_chunks_are_of_the_chunk_size_and_one_large_batch_is_sliced():
    big = pa.record_batch([pa.array(np.arange(2_000_000, dtype=np.int64)), pa.array(np.zeros(2_000_000))], schema=SCHEMA)
    chunks = list(ipc_chunks(SCHEMA, [big], DEFAULT_CHUNK_BYTES))
    assert all(len(c) == DEFAULT_CHUNK_BYTES for c in chunks[:-1]) and 0 < len(chunks[-1]) <= DEFAULT_CHUNK_BYTES
    reader = pa.ipc.open_stream(b"".join(chunks))
    batches = list(reader)
    assert len(batches) > 1 and max(b.nbytes for b in batches) <= DEFAULT_CHUNK_BYTES
    assert pa.Table.from_batches(batches).equals(pa.Table.from_batches([big]))
