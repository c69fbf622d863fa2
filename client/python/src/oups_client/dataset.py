"""One dataset of a store: write, read and manage it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Optional, Sequence, Union

import grpc
import pyarrow as pa

from ._wire import pb
from .bounds import bound_from_wire, bound_to_wire
from .errors import OupsError, from_rpc_error, invalid_argument
from .ipc import DEFAULT_CHUNK_BYTES, ResponseStream, ipc_chunks
from .keys import Key, key_from_wire
from .results import DatasetDescription, RowGroup, SchemaVersion, WriteResult

if TYPE_CHECKING:
    import pandas as pd

    from .store import Store

#: Rows to write: a table, a batch, a reader, an iterable of batches sharing one schema, or a pandas DataFrame.
WriteData = Union[pa.Table, pa.RecordBatch, pa.RecordBatchReader, Iterable[pa.RecordBatch], "pd.DataFrame"]

# ``write``'s schema_evolution values (the CLI's spelling "add-columns" too) and their wire values.
_SCHEMA_EVOLUTIONS: dict[Optional[str], int] = {
    None: pb.SCHEMA_EVOLUTION_UNSPECIFIED,
    "none": pb.SCHEMA_EVOLUTION_NONE,
    "add_columns": pb.SCHEMA_EVOLUTION_ADD_COLUMNS,
    "add-columns": pb.SCHEMA_EVOLUTION_ADD_COLUMNS,
}


class Dataset:
    """The dataset of one key (nothing is called until a method is). Get one with ``store[key]``."""

    def __init__(self, store: "Store", key: Key, wire_key: Mapping[str, str]) -> None:
        self._store = store
        self.key = key
        self._wire_key = dict(wire_key)
        self._ordered_type: Optional[pa.DataType] = None
        self._described = False

    def __repr__(self) -> str:
        return f"Dataset({dict(self.key)!r})"

    def _key_message(self) -> pb.Key:
        return pb.Key(fields=self._wire_key)

    # -- writing --

    def write(
        self,
        data: WriteData,
        *,
        ordered_on: str,
        duplicates_on: Optional[Sequence[str]] = None,
        row_group_target: Optional[Union[int, str]] = None,
        max_n_off_target_rgs: Optional[int] = None,
        metadata: Optional[Mapping[str, str]] = None,
        sort: bool = False,
        drop_duplicates: Optional[bool] = None,
        remove_metadata: Optional[Sequence[str]] = None,
        compression: Optional[str] = None,
        schema_evolution: Optional[str] = None,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        timeout: Optional[float] = None,
    ) -> WriteResult:
        """Merges rows into the dataset in one atomic commit, streamed as Arrow IPC chunks of ``chunk_bytes``.

        Rows are encoded as the call sends them (a RecordBatchReader or a generator of batches is read one batch
        at a time), so memory stays flat whatever the number of rows. A failure commits nothing.

        Args:
            data: a pyarrow Table, RecordBatch, RecordBatchReader, an iterable of RecordBatches sharing one schema,
                or a pandas DataFrame (its index is kept as a column when it is named).
            ordered_on: the column the dataset is ordered on (checked against the dataset's on later writes).
            duplicates_on: drop rows equal on these columns (the ordered column is always added), keeping the
                newest; ``[]`` means every column.
            row_group_target: rows per row group, or a period for timestamp columns (``"1D"``, ``"2h"``, ``"MS"``).
            max_n_off_target_rgs: coalesce runs of more than this many off-target row groups next to new data
                (daemon default 2; 0 never).
            metadata: dataset metadata keys to add or replace in the same commit.
            sort: sort the rows on the ordered column server-side instead of rejecting unordered input.
            drop_duplicates: default True when ``duplicates_on`` is given.
            remove_metadata: dataset metadata keys to remove in the same commit.
            compression: Parquet compression of new row groups (the daemon's default: ``"snappy"`` unless ``oups serve --compression`` says otherwise).
            schema_evolution: ``"add_columns"``: columns the dataset lacks are added to its schema (each must be
                nullable; rows stored before read back as nulls), and int32/float32 columns written as
                int64/float64 widen the dataset's type. ``None``/``"none"`` (default): other columns are refused
                (nullable columns may still be left out).
            chunk_bytes: IPC bytes per gRPC message (4 MiB by default).
            timeout: seconds for the whole call.
        """
        evolution = _SCHEMA_EVOLUTIONS.get(schema_evolution)
        if evolution is None:
            raise invalid_argument(f"schema_evolution must be 'none' or 'add_columns', got {schema_evolution!r}")
        schema, batches = _schema_and_batches(data)
        if chunk_bytes < 1:
            raise invalid_argument(f"chunk_bytes must be at least 1, got {chunk_bytes}")
        header = pb.WriteHeader(
            key=self._key_message(),
            ordered_on=ordered_on,
            duplicates_on=list(duplicates_on or ()),
            drop_duplicates=drop_duplicates if drop_duplicates is not None else duplicates_on is not None,
            metadata=dict(metadata or {}),
            remove_metadata=list(remove_metadata or ()),
            sort=sort,
            compression=compression or "",
            schema_evolution=evolution,
        )
        if isinstance(row_group_target, bool):
            raise invalid_argument("row_group_target must be a row count or a period such as '1D'")
        if isinstance(row_group_target, int):
            header.row_group_target.rows = row_group_target
        elif isinstance(row_group_target, str):
            header.row_group_target.period = row_group_target
        if max_n_off_target_rgs is not None:
            header.max_n_off_target_rgs = max_n_off_target_rgs
        failure: list[BaseException] = []

        def requests() -> Iterator[pb.WriteRequest]:
            # grpc runs this on its own thread and only logs what it raises: keep the error for the caller.
            try:
                yield pb.WriteRequest(header=header)
                for chunk in ipc_chunks(schema, batches, chunk_bytes):
                    yield pb.WriteRequest(arrow_ipc=chunk)
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread below
                failure.append(err)
                raise

        self._invalidate()
        try:
            # Call metadata only (authorization): the dataset's metadata travels in the header.
            response = self._store._stub.Write(requests(), metadata=self._store._call_metadata(), timeout=timeout)
        except grpc.RpcError as err:
            if failure:
                raise _as_oups_error(failure[0]) from failure[0]
            raise from_rpc_error(err) from None
        return WriteResult(
            rows_received=response.rows_received,
            total_rows=response.total_rows,
            row_groups_rewritten=response.row_groups_rewritten,
            row_groups_added=response.row_groups_added,
            row_groups_total=response.row_groups_total,
            generation=response.generation,
        )

    # -- reading --

    def range_query(
        self,
        start: Any = None,
        end: Any = None,
        *,
        end_inclusive: bool = False,
        columns: Optional[Sequence[str]] = None,
        max_rows_per_chunk: int = 0,
        timeout: Optional[float] = None,
    ) -> pa.RecordBatchReader:
        """The rows whose ordered value lies in ``[start, end)`` (``[start, end]`` with ``end_inclusive``), as a
        RecordBatchReader that decodes each batch as it arrives (closing it early cancels the call).

        Bounds may be ``datetime`` (naive means UTC), ``pandas.Timestamp``, ``numpy.datetime64``, ``date``, int,
        float or str, converted to the ordered column's kind (its type is learnt once, by a Describe).
        """
        request = pb.RangeQueryRequest(
            key=self._key_message(),
            end_inclusive=end_inclusive,
            columns=list(columns or ()),
            max_rows_per_chunk=max_rows_per_chunk,
        )
        column = self._column_type() if start is not None or end is not None else None
        start_bound, end_bound = bound_to_wire(start, column), bound_to_wire(end, column)
        if start_bound is not None:
            request.start.CopyFrom(start_bound)
        if end_bound is not None:
            request.end.CopyFrom(end_bound)
        call = self._store._stub.RangeQuery(request, metadata=self._store._call_metadata(), timeout=timeout)
        try:
            reader = pa.ipc.open_stream(ResponseStream(call))
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                while True:
                    try:
                        batch = reader.read_next_batch()
                    except StopIteration:
                        return
                    yield batch
            except grpc.RpcError as err:
                raise from_rpc_error(err) from None
            finally:
                call.cancel()

        return pa.RecordBatchReader.from_batches(reader.schema, batches())

    def read(self, start: Any = None, end: Any = None, **options: Any) -> pa.Table:
        """The rows of a range as one Table (with the dataset's schema, projected, even when no row matches);
        same arguments as :meth:`range_query`."""
        return self.range_query(start, end, **options).read_all()

    def to_pandas(
        self,
        start: Any = None,
        end: Any = None,
        *,
        end_inclusive: bool = False,
        columns: Optional[Sequence[str]] = None,
        timeout: Optional[float] = None,
        **to_pandas_options: Any,
    ) -> "pd.DataFrame":
        """The rows of a range as a pandas DataFrame (range arguments as in :meth:`range_query`); other keyword
        arguments go to ``pyarrow.Table.to_pandas``, e.g. ``types_mapper`` to get nullable integers back as
        ``Int64`` instead of float64."""
        table = self.read(start, end, end_inclusive=end_inclusive, columns=columns, timeout=timeout)
        return table.to_pandas(**to_pandas_options)

    # -- managing --

    def describe(self, *, timeout: Optional[float] = None) -> DatasetDescription:
        """The dataset's ordered column, Arrow schema, row groups and metadata."""
        r = self._store._unary("Describe", pb.DescribeRequest(key=self._key_message()), timeout)
        schema = pa.ipc.read_schema(pa.py_buffer(r.arrow_schema)) if r.arrow_schema else None
        column = schema.field(r.ordered_on).type if schema is not None and r.ordered_on in schema.names else None
        self._ordered_type, self._described = column, True
        return DatasetDescription(
            key=key_from_wire(self._store.index, r.key.fields) if r.HasField("key") else self.key,
            ordered_on=r.ordered_on,
            schema=schema,
            total_rows=r.total_rows,
            total_bytes=r.total_bytes,
            row_groups=[
                RowGroup(
                    file=g.file,
                    rows=g.rows,
                    min=bound_from_wire(g.min, column),
                    max=bound_from_wire(g.max, column),
                    bytes=g.bytes,
                    schema_version=g.schema_version,
                )
                for g in r.row_groups
            ],
            metadata=dict(r.metadata),
            generation=r.generation,
            schema_history=[
                SchemaVersion(
                    generation=v.generation,
                    schema=pa.ipc.read_schema(pa.py_buffer(v.arrow_schema)),
                    added_columns=list(v.added_columns),
                    widened_columns=list(v.widened_columns),
                    row_groups=v.row_groups,
                )
                for v in r.schema_history
            ],
        )

    @property
    def metadata(self) -> dict[str, str]:
        """The dataset's key/value metadata."""
        return dict(self._store._unary("GetMetadata", pb.GetMetadataRequest(key=self._key_message())).metadata)

    def update_metadata(
        self,
        set: Optional[Mapping[str, str]] = None,  # noqa: A002 - the contract's name
        remove: Optional[Sequence[str]] = None,
        *,
        timeout: Optional[float] = None,
    ) -> dict[str, str]:
        """Adds or replaces ``set`` keys and removes ``remove`` keys, without rewriting data; returns the result."""
        request = pb.UpdateMetadataRequest(key=self._key_message(), set=dict(set or {}), remove=list(remove or ()))
        return dict(self._store._unary("UpdateMetadata", request, timeout).metadata)

    def remove(self, *, timeout: Optional[float] = None) -> None:
        """Deletes the dataset completely."""
        self._invalidate()
        self._store._unary("Remove", pb.RemoveRequest(key=self._key_message()), timeout)

    # -- internals --

    def _column_type(self) -> Optional[pa.DataType]:
        """The ordered column's type, from a Describe made once (again after a write or remove of this handle)."""
        if not self._described:
            self.describe()
        return self._ordered_type

    def _invalidate(self) -> None:
        self._described = False
        self._ordered_type = None


def _as_oups_error(err: BaseException) -> BaseException:
    if isinstance(err, (OupsError, KeyboardInterrupt, SystemExit)):
        return err
    if isinstance(err, (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError)):
        return invalid_argument(f"rows could not be encoded: {err}")
    return err


def _schema_and_batches(data: Any) -> tuple[pa.Schema, Iterable[pa.RecordBatch]]:
    """The schema and batches of any accepted form of rows (the first batch of a sequence gives the schema)."""
    if isinstance(data, pa.Table):
        return data.schema, data.to_batches()
    if isinstance(data, pa.RecordBatch):
        return data.schema, [data]
    if isinstance(data, pa.RecordBatchReader):
        return data.schema, data
    if type(data).__module__.startswith("pandas") and type(data).__name__ == "DataFrame":
        index_named = any(name is not None for name in data.index.names)
        table = pa.Table.from_pandas(data, preserve_index=index_named)
        # pandas' own schema metadata (a JSON blob of its dtypes) would become part of the dataset's schema.
        table = table.replace_schema_metadata(None)
        return table.schema, table.to_batches()
    if isinstance(data, Iterable):
        iterator = iter(data)
        first = next(iterator, None)
        if first is None:
            raise invalid_argument("no record batch to write: pass a Table to write no rows")
        if not isinstance(first, pa.RecordBatch):
            raise invalid_argument(f"an iterable of rows must yield pyarrow RecordBatches, got {type(first).__name__}")

        def rest() -> Iterator[pa.RecordBatch]:
            yield first
            for batch in iterator:
                if batch.schema != first.schema:
                    raise invalid_argument("every record batch of a write must have the first one's schema")
                yield batch

        return first.schema, rest()
    raise invalid_argument(f"cannot write a {type(data).__name__}: pass a pyarrow Table, RecordBatch, "
                           "RecordBatchReader, iterable of RecordBatches or a pandas DataFrame")
