"""Arrow IPC streams over gRPC messages: rows out as bounded chunks, and answers decoded as they arrive."""

from __future__ import annotations

import io
from typing import Any, Iterable, Iterator

import pyarrow as pa

#: IPC bytes per Write message, as the Node SDK sends.
DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024


class _ChunkSink:
    """A write-only file for the IPC writer that keeps bytes until they are taken as chunks."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.closed = False

    def write(self, data: Any) -> int:
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self, size: int) -> Iterator[bytes]:
        """Chunks of exactly ``size`` bytes while there are that many (everything left when ``size`` is 0)."""
        if size == 0:
            if self.buffer:
                yield bytes(self.buffer)
                self.buffer.clear()
            return
        while len(self.buffer) >= size:
            chunk = bytes(self.buffer[:size])
            del self.buffer[:size]
            yield chunk


def _pieces(batch: pa.RecordBatch, chunk_bytes: int) -> Iterator[pa.RecordBatch]:
    """A batch as zero-copy slices of about ``chunk_bytes`` each, so that no encoded message is much larger."""
    if batch.num_rows == 0:
        return
    size = batch.nbytes
    if size <= chunk_bytes:
        yield batch
        return
    rows = max(1, batch.num_rows * chunk_bytes // size)
    for offset in range(0, batch.num_rows, rows):
        yield batch.slice(offset, rows)


def ipc_chunks(schema: pa.Schema, batches: Iterable[pa.RecordBatch], chunk_bytes: int) -> Iterator[bytes]:
    """One IPC stream (schema, batches, end-of-stream marker) as chunks of ``chunk_bytes`` (the last one shorter).

    Batches are encoded one slice at a time as the iterator is consumed: at most about two chunks are held.
    """
    sink = _ChunkSink()
    writer = pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), schema)  # type: ignore[arg-type]
    yield from sink.take(chunk_bytes)
    for batch in batches:
        for piece in _pieces(batch, chunk_bytes):
            writer.write_batch(piece)
            yield from sink.take(chunk_bytes)
    writer.close()
    yield from sink.take(0)


class ResponseStream(io.RawIOBase):
    """A readable file over the IPC bytes of a stream of responses: the IPC reader pulls messages as it needs
    them, so that batches are decoded while the answer arrives and only one response is held."""

    def __init__(self, responses: Iterable[Any]) -> None:
        super().__init__()
        self._responses = iter(responses)
        self._view = memoryview(b"")

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        while not self._view:
            response = next(self._responses, None)
            if response is None:
                return False
            self._view = memoryview(response.arrow_ipc)
        return True

    def read(self, size: int = -1) -> bytes:
        # The IPC reader expects exactly `size` bytes (fewer only at the end): gather them over responses.
        parts: list[bytes | memoryview] = []
        wanted = size if size is not None and size >= 0 else None
        got = 0
        while (wanted is None or got < wanted) and self._fill():
            take = len(self._view) if wanted is None else min(wanted - got, len(self._view))
            parts.append(self._view[:take])
            self._view = self._view[take:]
            got += take
        if len(parts) == 1 and isinstance(parts[0], memoryview):
            return parts[0].tobytes()
        return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
