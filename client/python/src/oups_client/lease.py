"""File leases: the row-group files of versions, kept on disk by the daemon while another engine reads them."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

import pandas as pd

from ._wire import pb
from .bounds import bound_from_wire
from .keys import Key
from .results import DataFile
from .versions import duration_to_wire, timestamp_from_wire

if TYPE_CHECKING:
    import pyarrow as pa

    from .store import Store

#: A lease duration: seconds, or a timedelta. None: the daemon's --lease-duration.
LeaseDuration = Union[None, float, int, dt.timedelta, pd.Timedelta]


@dataclass(frozen=True)
class DatasetFiles:
    """The row-group files of one version of a dataset, in order of its ordered column, and the lease that keeps
    them on disk. A context manager: leaving the ``with`` block releases the lease.

        with store[key].list_files(version=Snapshot("eod")) as files:
            table = pyarrow.parquet.read_table(files.paths)
    """

    key: Key
    generation: int
    ordered_on: str
    total_rows: int
    files: list[DataFile]
    #: The store's directory on the daemon's host (absolute), against which ``DataFile.path`` resolves.
    store_dir: str
    lease: "Lease" = field(repr=False, compare=False)

    @property
    def paths(self) -> list[str]:
        """The files' absolute paths on the daemon's host, in order."""
        return [os.path.join(self.store_dir, *f.path.split("/")) for f in self.files]

    def renew(self, duration: LeaseDuration = None) -> pd.Timestamp:
        """Extends the lease from now (see :meth:`Lease.renew`)."""
        return self.lease.renew(duration)

    def release(self) -> bool:
        """Ends the lease now (see :meth:`Lease.release`)."""
        return self.lease.release()

    def __enter__(self) -> "DatasetFiles":
        return self

    def __exit__(self, *exc: object) -> None:
        self.lease.release()


class Lease:
    """A lease on the files of one or more versions: the daemon keeps them on disk until it expires or is released,
    whatever it commits meanwhile (a daemon restart drops it). A context manager: leaving the ``with`` block
    releases it. Get one from :meth:`Dataset.list_files` or :meth:`Store.list_files`."""

    def __init__(self, store: "Store", lease_id: str, expires_at: pd.Timestamp) -> None:
        self._store = store
        self.id = lease_id
        #: When it stops protecting its files unless renewed (UTC).
        self.expires_at = expires_at
        #: The versions it holds, by key, in the order they were added.
        self.datasets: dict[Key, DatasetFiles] = {}
        self._released = False

    def __repr__(self) -> str:
        return f"Lease({self.id!r}, expires_at={self.expires_at!s}, datasets={len(self.datasets)})"

    @property
    def paths(self) -> list[str]:
        """Every file's absolute path, dataset by dataset in the order they were added."""
        return [path for files in self.datasets.values() for path in files.paths]

    def add(self, key: Any, version: Any = None, *, duration: LeaseDuration = None) -> DatasetFiles:
        """Adds the files of a version of another dataset (or of the same one) to this lease, renewing it for
        ``duration``; returns them."""
        return self._store._list_files(self._store[key], version, duration, self)

    def renew(self, duration: LeaseDuration = None) -> pd.Timestamp:
        """Extends the lease from now by ``duration`` (the daemon's --lease-duration when None) and returns the new
        expiry. An expired or released lease is an ``OupsError`` ``LEASE_NOT_FOUND``."""
        request = pb.RenewLeaseRequest(lease_id=self.id)
        wire = duration_to_wire(duration)
        if wire is not None:
            request.duration.seconds, request.duration.nanos = wire["seconds"], wire["nanos"]
        response = self._store._unary("RenewLease", request)
        self.expires_at = timestamp_from_wire(response.lease.expires_at)
        return self.expires_at

    def release(self) -> bool:
        """Ends the lease now; False when it had already expired or been released (not an error)."""
        if self._released:
            return False
        self._released = True
        return bool(self._store._unary("ReleaseLease", pb.ReleaseLeaseRequest(lease_id=self.id)).released)

    def __enter__(self) -> "Lease":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _record(self, key: Key, response: Any, column: Optional["pa.DataType"]) -> DatasetFiles:
        self.expires_at = timestamp_from_wire(response.lease.expires_at)
        files = DatasetFiles(
            key=key,
            generation=response.generation,
            ordered_on=response.ordered_on,
            total_rows=response.total_rows,
            files=[
                DataFile(
                    path=f.path,
                    rows=f.rows,
                    min=bound_from_wire(f.min, column),
                    max=bound_from_wire(f.max, column),
                    bytes=f.bytes,
                )
                for f in response.files
            ],
            store_dir=response.store_dir,
            lease=self,
        )
        self.datasets[key] = files
        return files
