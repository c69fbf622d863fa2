"""Connecting to a daemon, and the store it serves."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

import grpc
import pyarrow as pa

from ._wire import StoreStub, pb
from .bounds import bound_from_wire, bound_to_wire
from .dataset import Dataset
from .errors import OupsError, from_rpc_error
from .index_schema import IndexLike, IndexSchema, as_index_schema
from .keys import Key, key_from_wire, key_to_wire, keys_from_packed
from .lease import DatasetFiles, Lease, LeaseDuration
from .results import SnapshotDataset, SnapshotInfo
from .versions import VersionLike, duration_to_wire, timestamp_from_wire, version_to_wire

#: Keys asked for per ListKeys page: the daemon returns fewer when they would exceed its page size in bytes.
LIST_KEYS_PAGE_SIZE = 1_000_000

#: The channel options every connection starts from (those of the Node SDK): 64 MiB messages, and 16 MiB HTTP/2
#: windows so that a range query's MiB-sized messages do not wait on window updates.
DEFAULT_CHANNEL_OPTIONS: dict[str, Any] = {
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    "grpc.max_send_message_length": 64 * 1024 * 1024,
    "grpc.http2.lookahead_bytes": 16 * 1024 * 1024,
}

PathOrBytes = Union[str, bytes, "os.PathLike[str]"]


@dataclass(frozen=True)
class TLS:
    """TLS settings: ``ca`` to trust (default: the system's roots), and ``cert`` + ``key`` for mutual TLS. Each is
    PEM bytes or the path of a PEM file. ``server_name`` overrides the name checked in the daemon's certificate."""

    ca: Optional[PathOrBytes] = None
    cert: Optional[PathOrBytes] = None
    key: Optional[PathOrBytes] = None
    server_name: Optional[str] = None


def _pem(value: Optional[PathOrBytes]) -> Optional[bytes]:
    if value is None or isinstance(value, bytes):
        return value
    with open(value, "rb") as file:
        return file.read()


def _channel(address: str, tls: Union[None, bool, TLS], options: Mapping[str, Any]) -> grpc.Channel:
    merged = {**DEFAULT_CHANNEL_OPTIONS, **options}
    if tls is None or tls is False:
        return grpc.insecure_channel(address, options=list(merged.items()))
    settings = TLS() if tls is True else tls
    if (settings.cert is None) != (settings.key is None):
        raise ValueError("TLS needs both cert and key for a client certificate, or neither")
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_pem(settings.ca), private_key=_pem(settings.key), certificate_chain=_pem(settings.cert)
    )
    if settings.server_name:
        merged["grpc.ssl_target_name_override"] = settings.server_name
    return grpc.secure_channel(address, credentials, options=list(merged.items()))


def connect(
    address: str = "127.0.0.1:50051",
    index: Optional[IndexLike] = None,
    *,
    tls: Union[None, bool, TLS] = None,
    token: Optional[str] = None,
    channel_options: Optional[Mapping[str, Any]] = None,
    timeout: Optional[float] = None,
) -> "Store":
    """Connects to the daemon at ``address`` (``HOST:PORT``) and reads the store's index schema.

    Args:
        index: the index the caller expects (an :class:`IndexSchema` or a spec such as
            ``"symbol,year:int/month:int"``): an empty store is initialised with it, a store with another
            layout is an ``OupsError`` ``SCHEMA_MISMATCH``. None takes the store's own (see :meth:`Store.init`).
        tls: None/False for plaintext, True for TLS with the system's roots, or :class:`TLS` settings.
        token: a bearer token sent as ``authorization: Bearer <token>`` on every call.
        channel_options: gRPC channel arguments overriding :data:`DEFAULT_CHANNEL_OPTIONS`.
        timeout: seconds for each unary call (None: no deadline).

    Raises:
        OupsConnectionError: the daemon cannot be reached.
    """
    channel = _channel(address, tls, channel_options or {})
    store = Store(channel, token=token, timeout=timeout)
    try:
        store._connect(as_index_schema(index) if index is not None else None)
    except BaseException:
        store.close()
        raise
    return store


class Store:
    """A store served by a daemon: its index schema, its keys, and a :class:`Dataset` per key (``store[key]``).

    Use :func:`connect` to make one; close it (or use it as a context manager) when done.
    """

    def __init__(self, channel: grpc.Channel, *, token: Optional[str] = None, timeout: Optional[float] = None) -> None:
        self._channel = channel
        self._stub = StoreStub(channel)
        self._metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),) if token else ()
        self._timeout = timeout
        self._index: Optional[IndexSchema] = None

    # -- calls --

    def _call_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def _unary(self, method: str, request: Any, timeout: Optional[float] = None) -> Any:
        try:
            return getattr(self._stub, method)(
                request, metadata=self._metadata, timeout=timeout if timeout is not None else self._timeout
            )
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None

    def _connect(self, index: Optional[IndexSchema]) -> None:
        try:
            schema: Optional[IndexSchema] = IndexSchema.from_wire(
                self._unary("GetIndexSchema", pb.GetIndexSchemaRequest()).schema
            )
        except OupsError as err:
            if err.code != "NOT_INITIALIZED":
                raise
            schema = None
        if schema is None:
            if index is not None:
                self.init(index)
            return
        if index is not None and not schema.same_layout(index):
            raise OupsError(
                "SCHEMA_MISMATCH",
                grpc.StatusCode.FAILED_PRECONDITION,
                f'index "{index.name}" does not match the store\'s schema "{schema.name}" ({_layout(schema)})',
            )
        self._index = schema

    # -- the store --

    @property
    def index(self) -> Optional[IndexSchema]:
        """The store's index schema (None while the store has none)."""
        return self._index

    def init(self, index: IndexLike) -> bool:
        """Declares the store's index schema; True when this call did, False when the store already had it
        (another schema is an ``OupsError`` ``SCHEMA_MISMATCH``)."""
        schema = as_index_schema(index)
        response = self._unary("InitStore", pb.InitStoreRequest(schema=schema.to_wire()))
        self._index = IndexSchema.from_wire(response.schema)
        return bool(response.created)

    def _require_index(self) -> IndexSchema:
        if self._index is None:
            raise OupsError(
                "NOT_INITIALIZED",
                grpc.StatusCode.FAILED_PRECONDITION,
                "the store has no index schema yet: pass index= to connect() or call Store.init()",
            )
        return self._index

    def key(self, key: Union[Mapping[str, Any], Sequence[Any], None] = None, **fields: Any) -> Key:
        """A key checked against the index schema: a mapping, the field values in schema order as a tuple, or
        keyword fields (``store.key(symbol="AAPL", year=2023, month=1)``).

        Raises:
            OupsError: ``INVALID_KEY`` with the daemon's message naming the field and the problem.
        """
        schema = self._require_index()
        if key is None:
            given: Mapping[str, Any] = fields
        elif isinstance(key, Mapping):
            given = {**key, **fields}
        elif isinstance(key, (tuple, list)):
            names = [f.name for f in schema.fields]
            if len(key) != len(names):
                raise OupsError(
                    "INVALID_KEY",
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f'invalid key for index "{schema.name}": expected {len(names)} values ({", ".join(names)}), got {len(key)}',
                )
            given = dict(zip(names, key))
        else:
            given = {schema.fields[0].name: key} if len(schema.fields) == 1 else key  # type: ignore[assignment]
        return key_from_wire(schema, key_to_wire(schema, given))

    def __getitem__(self, key: Union[Mapping[str, Any], Sequence[Any], Any]) -> Dataset:
        """The dataset of a key (a mapping, or a tuple of the field values in schema order)."""
        return self.get(key)

    def get(self, key: Union[Mapping[str, Any], Sequence[Any], None] = None, **fields: Any) -> Dataset:
        """The dataset of a key, given as in :meth:`key`; nothing is called until one of its methods is."""
        checked = self.key(key, **fields)
        return Dataset(self, checked, key_to_wire(self._require_index(), checked))

    def keys(self, **filters: Any) -> list[Key]:
        """Keys holding a dataset, sorted level by level (integers numerically); ``filters`` keeps those with these
        field values (``store.keys(symbol="AAPL")``)."""
        prefix = pb.Key(fields={name: str(value) for name, value in filters.items()})
        keys: list[Key] = []
        # Page after page (the daemon bounds each page by size), each page packed into one string of values; a
        # daemon from before packed pages answers with Key messages, and one from before pages with all of them.
        token = ""
        while True:
            request = pb.ListKeysRequest(prefix=prefix, page_size=LIST_KEYS_PAGE_SIZE, page_token=token, packed=True)
            response = self._unary("ListKeys", request)
            if response.packed_fields:
                keys.extend(keys_from_packed(self._index, list(response.packed_fields), response.packed_values))
            else:
                keys.extend(key_from_wire(self._index, k.fields) for k in response.keys)
            token = response.next_page_token
            if not token:
                return keys

    def intersections(
        self,
        keys: Sequence[Union[Mapping[str, Any], Sequence[Any]]],
        start: Any = None,
        end: Any = None,
        columns: Optional[Sequence[str]] = None,
        *,
        version: Optional[VersionLike] = None,
        timeout: Optional[float] = None,
    ) -> Iterator[tuple[Any, Any, dict[Key, pa.Table]]]:
        """Walks several datasets over the same successive intervals of their ordered column, in
        ``[start, end)``: yields ``(interval_start, interval_end, {key: table})`` per interval, where a dataset
        with no row in the range is absent and one with rows has a (possibly empty) table in every interval.
        An open interval end is None.

        ``version`` reads every dataset as of a snapshot (``Snapshot(name)`` or its name) or an instant
        (``AsOf(t)`` or a datetime); a generation (``Generation(n)`` or an int) selects that generation of each."""
        datasets = [self[key] for key in keys]
        column = datasets[0]._column_type() if datasets and (start is not None or end is not None) else None
        request = pb.QueryIntersectionsRequest(
            keys=[d._key_message() for d in datasets], columns=list(columns or ())
        )
        selector = version_to_wire(version)
        if selector is not None:
            request.version.CopyFrom(selector)
        start_bound, end_bound = bound_to_wire(start, column), bound_to_wire(end, column)
        if start_bound is not None:
            request.start.CopyFrom(start_bound)
        if end_bound is not None:
            request.end.CopyFrom(end_bound)
        call = self._stub.QueryIntersections(request, metadata=self._metadata, timeout=timeout)
        return self._intervals(call, datasets, column)

    def _intervals(
        self, call: Any, datasets: list[Dataset], column: Optional[pa.DataType]
    ) -> Iterator[tuple[Any, Any, dict[Key, pa.Table]]]:
        current: Optional[int] = None
        bounds: tuple[Any, Any] = (None, None)
        tables: dict[Key, pa.Table] = {}
        try:
            for r in call:
                if current is not None and r.interval != current:
                    yield bounds[0], bounds[1], tables
                    tables = {}
                if column is None and (r.HasField("interval_start") or r.HasField("interval_end")):
                    # Bounds come back in the column's kind: learn its type (time zone, unit) once.
                    column = datasets[r.key_index]._column_type()
                current = r.interval
                bounds = (
                    bound_from_wire(r.interval_start, column) if r.HasField("interval_start") else None,
                    bound_from_wire(r.interval_end, column) if r.HasField("interval_end") else None,
                )
                tables[datasets[r.key_index].key] = pa.ipc.open_stream(r.arrow_ipc).read_all()
            if current is not None:
                yield bounds[0], bounds[1], tables
        except grpc.RpcError as err:
            raise from_rpc_error(err) from None
        finally:
            call.cancel()

    # -- snapshots and files --

    def create_snapshot(
        self,
        name: str,
        keys: Optional[Sequence[Union[Mapping[str, Any], Sequence[Any]]]] = None,
        *,
        prefix: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = None,
    ) -> SnapshotInfo:
        """Records under ``name`` the current generation of each dataset of ``keys``, or of every dataset whose key
        has the ``prefix`` field values, or (neither given) of every dataset of the store, atomically with
        respect to commits. The snapshot keeps its versions readable (``version=Snapshot(name)``) whatever the
        retention policy, until :meth:`delete_snapshot`.

        Raises:
            OupsError: ``ALREADY_EXISTS`` for a name in use, ``NOT_FOUND`` for a key with no dataset,
                ``INVALID_ARGUMENT`` for a name that is not 1 to 128 letters, digits, ``-``, ``_`` or ``.``.
        """
        if keys is not None and prefix is not None:
            raise ValueError("create_snapshot takes keys or prefix, not both")
        request = pb.CreateSnapshotRequest(name=name)
        if keys is not None:
            request.keys.extend(self[key]._key_message() for key in keys)
        elif prefix is not None:
            request.prefix.CopyFrom(pb.Key(fields={n: str(v) for n, v in prefix.items()}))
        else:
            request.all_keys = True
        return self._snapshot_info(self._unary("CreateSnapshot", request, timeout).snapshot)

    def list_snapshots(self, *, include_datasets: bool = False, timeout: Optional[float] = None) -> list[SnapshotInfo]:
        """The store's snapshots, by name; with ``include_datasets``, each with the datasets it holds."""
        response = self._unary("ListSnapshots", pb.ListSnapshotsRequest(include_datasets=include_datasets), timeout)
        return [self._snapshot_info(s) for s in response.snapshots]

    def delete_snapshot(self, name: str, *, timeout: Optional[float] = None) -> None:
        """Deletes a snapshot (``SNAPSHOT_NOT_FOUND`` when there is none of that name); the files only it kept go
        once no version, lease or reader needs them."""
        self._unary("DeleteSnapshot", pb.DeleteSnapshotRequest(name=name), timeout)

    def list_files(
        self,
        keys: Sequence[Union[Mapping[str, Any], Sequence[Any]]],
        *,
        version: Optional[VersionLike] = None,
        lease_duration: LeaseDuration = None,
    ) -> Lease:
        """The row-group files of a version of each of several datasets, under one lease (see
        :meth:`Dataset.list_files`); ``lease.datasets`` maps each key to its files. With ``version=Snapshot(name)``
        every dataset is read as the snapshot recorded it, a consistent state of them all:

            with store.list_files(store.keys(), version=Snapshot("eod")) as lease:
                tables = {key: pyarrow.parquet.read_table(files.paths) for key, files in lease.datasets.items()}
        """
        if not keys:
            raise ValueError("list_files needs at least one key")
        datasets = [self[key] for key in keys]
        first = self._list_files(datasets[0], version, lease_duration, None)
        try:
            for dataset in datasets[1:]:
                self._list_files(dataset, version, lease_duration, first.lease)
        except BaseException:
            first.lease.release()
            raise
        return first.lease

    def _list_files(
        self, dataset: Dataset, version: Optional[VersionLike], duration: LeaseDuration, lease: Optional[Lease]
    ) -> DatasetFiles:
        request = pb.ListFilesRequest(key=dataset._key_message(), lease_id=lease.id if lease is not None else "")
        selector = version_to_wire(version)
        if selector is not None:
            request.version.CopyFrom(selector)
        wire = duration_to_wire(duration)
        if wire is not None:
            request.lease_duration.seconds, request.lease_duration.nanos = wire["seconds"], wire["nanos"]
        response = self._unary("ListFiles", request)
        if lease is None:
            lease = Lease(self, response.lease.id, timestamp_from_wire(response.lease.expires_at))
        try:
            column = dataset._column_type() if response.files else None
        except BaseException:
            if not lease.datasets:
                lease.release()
            raise
        return lease._record(dataset.key, response, column)

    def _snapshot_info(self, s: Any) -> SnapshotInfo:
        return SnapshotInfo(
            name=s.name,
            created_at=timestamp_from_wire(s.created_at) if s.HasField("created_at") else None,
            dataset_count=s.dataset_count,
            datasets=[SnapshotDataset(key=key_from_wire(self._index, d.key.fields), generation=d.generation) for d in s.datasets],
        )

    def close(self) -> None:
        """Closes the connection."""
        self._channel.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _layout(schema: IndexSchema) -> str:
    return "/".join(",".join(f"{f.name}:{f.type}" for f in level) for level in schema.levels)
