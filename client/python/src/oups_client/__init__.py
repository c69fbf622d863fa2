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
from .results import DatasetDescription, RowGroup, SchemaVersion, WriteResult
from .store import DEFAULT_CHANNEL_OPTIONS, TLS, Store, connect

__version__ = "0.1.0"

__all__ = [
    "BoundValue",
    "DEFAULT_CHANNEL_OPTIONS",
    "DEFAULT_CHUNK_BYTES",
    "Dataset",
    "DatasetDescription",
    "IndexField",
    "IndexFieldType",
    "IndexSchema",
    "Key",
    "OupsConnectionError",
    "OupsError",
    "RowGroup",
    "SchemaVersion",
    "Store",
    "TLS",
    "WriteData",
    "WriteResult",
    "connect",
    "toplevel",
]
