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
from .lease import DatasetFiles, LeaseDuration
from .results import (
    DatasetDescription,
    RestoreResult,
    RetentionPolicy,
    RowGroup,
    SchemaVersion,
    VersionChange,
    VersionInfo,
    Versions,
    WriteResult,
)
from .versions import VersionLike, duration_from_wire, duration_to_wire, timestamp_from_wire, version_to_wire

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
        retention: Optional[RetentionPolicy] = None,
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
            retention: sets the dataset's own retention policy (``RetentionPolicy()`` returns it to the store's).
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
        if retention is not None:
            header.retention.CopyFrom(retention_to_wire(retention))
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
        version: Optional[VersionLike] = None,
        timeout: Optional[float] = None,
    ) -> pa.RecordBatchReader:
        """The rows whose ordered value lies in ``[start, end)`` (``[start, end]`` with ``end_inclusive``), as a
        RecordBatchReader that decodes each batch as it arrives (closing it early cancels the call).

        Bounds may be ``datetime`` (naive means UTC), ``pandas.Timestamp``, ``numpy.datetime64``, ``date``, int,
        float or str, converted to the ordered column's kind (its type is learnt once, by a Describe).

        ``version`` reads an older version instead of the current one: ``Generation(n)`` or an int,
        ``AsOf(t)`` or a datetime/``pandas.Timestamp`` (the version current at that instant), ``Snapshot(name)``
        or a snapshot's name. The stream reads the version it started on to its end, whatever is committed
        meanwhile. One no longer retained is an ``OupsError`` ``VERSION_NOT_FOUND`` naming the oldest retained.
        """
        request = pb.RangeQueryRequest(
            key=self._key_message(),
            end_inclusive=end_inclusive,
            columns=list(columns or ()),
            max_rows_per_chunk=max_rows_per_chunk,
        )
        selector = version_to_wire(version)
        if selector is not None:
            request.version.CopyFrom(selector)
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
        version: Optional[VersionLike] = None,
        timeout: Optional[float] = None,
        **to_pandas_options: Any,
    ) -> "pd.DataFrame":
        """The rows of a range as a pandas DataFrame (range arguments as in :meth:`range_query`); other keyword
        arguments go to ``pyarrow.Table.to_pandas``, e.g. ``types_mapper`` to get nullable integers back as
        ``Int64`` instead of float64."""
        table = self.read(start, end, end_inclusive=end_inclusive, columns=columns, version=version, timeout=timeout)
        return table.to_pandas(**to_pandas_options)

    # -- managing --

    def describe(self, *, version: Optional[VersionLike] = None, timeout: Optional[float] = None) -> DatasetDescription:
        """The dataset's ordered column, Arrow schema, row groups and metadata, of the current version or of
        ``version`` (as in :meth:`range_query`), with what keeping versions costs on disk."""
        request = pb.DescribeRequest(key=self._key_message())
        selector = version_to_wire(version)
        if selector is not None:
            request.version.CopyFrom(selector)
        r = self._store._unary("Describe", request, timeout)
        schema = pa.ipc.read_schema(pa.py_buffer(r.arrow_schema)) if r.arrow_schema else None
        column = schema.field(r.ordered_on).type if schema is not None and r.ordered_on in schema.names else None
        if selector is None:
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
            current_generation=r.current_generation,
            current_bytes=r.current_bytes,
            older_versions_bytes=r.older_versions_bytes,
            committed_at=timestamp_from_wire(r.committed_at) if r.HasField("committed_at") else None,
            oldest_retained_generation=r.oldest_retained_generation,
            retained_versions=r.retained_versions,
            retention=retention_from_wire(r.retention) if r.HasField("retention") else None,
            retention_override=retention_from_wire(r.retention_override) if r.HasField("retention_override") else None,
        )

    @property
    def metadata(self) -> dict[str, str]:
        """The dataset's key/value metadata."""
        return self.get_metadata()

    def get_metadata(self, *, version: Optional[VersionLike] = None, timeout: Optional[float] = None) -> dict[str, str]:
        """The key/value metadata of the current version, or of ``version`` (as in :meth:`range_query`)."""
        request = pb.GetMetadataRequest(key=self._key_message())
        selector = version_to_wire(version)
        if selector is not None:
            request.version.CopyFrom(selector)
        return dict(self._store._unary("GetMetadata", request, timeout).metadata)

    def update_metadata(
        self,
        set: Optional[Mapping[str, str]] = None,  # noqa: A002 - the contract's name
        remove: Optional[Sequence[str]] = None,
        *,
        retention: Optional[RetentionPolicy] = None,
        timeout: Optional[float] = None,
    ) -> dict[str, str]:
        """Adds or replaces ``set`` keys and removes ``remove`` keys, without rewriting data; returns the result.
        ``retention`` sets the dataset's own retention policy (``RetentionPolicy()`` returns it to the store's)."""
        request = pb.UpdateMetadataRequest(key=self._key_message(), set=dict(set or {}), remove=list(remove or ()))
        if retention is not None:
            request.retention.CopyFrom(retention_to_wire(retention))
        return dict(self._store._unary("UpdateMetadata", request, timeout).metadata)

    def remove(self, *, timeout: Optional[float] = None) -> None:
        """Deletes the dataset completely."""
        self._invalidate()
        self._store._unary("Remove", pb.RemoveRequest(key=self._key_message()), timeout)

    # -- versions --

    def list_versions(self, *, timeout: Optional[float] = None) -> Versions:
        """The dataset's retained versions, oldest first (the last is the current one): every generation the
        retention policy keeps, every one a snapshot holds, and the current one."""
        r = self._store._unary("ListVersions", pb.ListVersionsRequest(key=self._key_message()), timeout)
        return Versions(
            versions=[_version_info(v) for v in r.versions],
            retention=retention_from_wire(r.retention) if r.HasField("retention") else None,
        )

    def restore_version(self, version: VersionLike, *, timeout: Optional[float] = None) -> RestoreResult:
        """Commits a new generation whose content (rows, schema, metadata) equals ``version``'s (as in
        :meth:`range_query`): an undo that is itself a commit, so it can be undone too."""
        selector = version_to_wire(version)
        if selector is None:
            raise invalid_argument("restore_version needs the version to restore")
        self._invalidate()
        r = self._store._unary("RestoreVersion", pb.RestoreVersionRequest(key=self._key_message(), version=selector), timeout)
        return RestoreResult(generation=r.generation, restored_generation=r.restored_generation, total_rows=r.total_rows)

    def list_files(
        self, *, version: Optional[VersionLike] = None, lease_duration: LeaseDuration = None
    ) -> DatasetFiles:
        """The row-group files of a version (the current one by default), in order, for another engine (pyarrow,
        DuckDB) to read directly, with a lease that keeps them on disk until it expires (``lease_duration``:
        seconds or a timedelta; the daemon's --lease-duration by default) or is released. Use it as a context
        manager to release the lease when done:

            with ds.list_files() as files:
                table = pyarrow.parquet.read_table(files.paths)
        """
        return self._store._list_files(self, version, lease_duration, None)

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


def retention_to_wire(policy: RetentionPolicy) -> pb.RetentionPolicy:
    """The contract's RetentionPolicy for a policy or an override."""
    if not isinstance(policy, RetentionPolicy):
        raise invalid_argument(f"retention must be a RetentionPolicy, not a {type(policy).__name__}")
    message = pb.RetentionPolicy()
    if policy.generations is not None:
        if isinstance(policy.generations, bool) or not isinstance(policy.generations, int) or policy.generations < 0:
            raise invalid_argument(f"retention generations must be a whole number >= 0, got {policy.generations!r}")
        message.generations = policy.generations
    duration = duration_to_wire(policy.duration)
    if duration is not None:
        message.duration.seconds, message.duration.nanos = duration["seconds"], duration["nanos"]
    return message


def retention_from_wire(message: pb.RetentionPolicy) -> RetentionPolicy:
    return RetentionPolicy(
        generations=message.generations if message.HasField("generations") else None,
        duration=duration_from_wire(message.duration) if message.HasField("duration") else None,
    )


def _version_info(v: pb.VersionInfo) -> VersionInfo:
    change = None
    if v.HasField("change"):
        c = v.change
        change = VersionChange(
            operation=c.operation,
            rows_received=c.rows_received,
            row_groups_rewritten=c.row_groups_rewritten,
            row_groups_added=c.row_groups_added,
            metadata_changed=c.metadata_changed,
            restored_from=c.restored_from if c.HasField("restored_from") else None,
        )
    return VersionInfo(
        generation=v.generation,
        committed_at=timestamp_from_wire(v.committed_at) if v.HasField("committed_at") else None,
        total_rows=v.total_rows,
        total_bytes=v.total_bytes,
        row_groups=v.row_groups,
        change=change,
        current=v.current,
        snapshots=list(v.snapshots),
        retained_by_policy=v.retained_by_policy,
    )
