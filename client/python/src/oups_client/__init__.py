"""oups_client: the Python SDK of oups, the Ordered Updatable Parquet Store daemon.

Rows go in and out as pyarrow tables, record batches and readers (or pandas DataFrames); protobuf and Arrow IPC
stay inside. Every failure is an :class:`OupsError`.

    import oups_client
    store = oups_client.connect("127.0.0.1:50051", "symbol,year:int/month:int")
    ds = store[{"symbol": "AAPL", "year": 2023, "month": 1}]
    ds.write(table, ordered_on="timestamp")
    table = ds.read(start, end)
"""

from .bounds import BoundValue
from .dataset import Dataset, WriteData
from .errors import OupsConnectionError, OupsError
from .index_schema import IndexField, IndexFieldType, IndexSchema, toplevel
from .ipc import DEFAULT_CHUNK_BYTES
from .keys import Key
from .lease import DatasetFiles, Lease
from .results import (
    DataFile,
    DatasetDescription,
    RestoreResult,
    RetentionPolicy,
    RowGroup,
    SchemaVersion,
    SnapshotDataset,
    SnapshotInfo,
    VersionChange,
    VersionInfo,
    Versions,
    WriteResult,
)
from .store import DEFAULT_CHANNEL_OPTIONS, TLS, Store, connect
from .versions import AsOf, Generation, Snapshot, VersionLike

__version__ = "0.1.0"

__all__ = [
    "AsOf",
    "BoundValue",
    "DEFAULT_CHANNEL_OPTIONS",
    "DEFAULT_CHUNK_BYTES",
    "DataFile",
    "Dataset",
    "DatasetDescription",
    "DatasetFiles",
    "Generation",
    "IndexField",
    "IndexFieldType",
    "IndexSchema",
    "Key",
    "Lease",
    "OupsConnectionError",
    "OupsError",
    "RestoreResult",
    "RetentionPolicy",
    "RowGroup",
    "SchemaVersion",
    "Snapshot",
    "SnapshotDataset",
    "SnapshotInfo",
    "Store",
    "TLS",
    "VersionChange",
    "VersionInfo",
    "VersionLike",
    "Versions",
    "WriteData",
    "WriteResult",
    "connect",
    "toplevel",
]
