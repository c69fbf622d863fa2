import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IndexFieldType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INDEX_FIELD_TYPE_UNSPECIFIED: _ClassVar[IndexFieldType]
    INDEX_FIELD_TYPE_STRING: _ClassVar[IndexFieldType]
    INDEX_FIELD_TYPE_INT: _ClassVar[IndexFieldType]

class SchemaEvolution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEMA_EVOLUTION_UNSPECIFIED: _ClassVar[SchemaEvolution]
    SCHEMA_EVOLUTION_NONE: _ClassVar[SchemaEvolution]
    SCHEMA_EVOLUTION_ADD_COLUMNS: _ClassVar[SchemaEvolution]
INDEX_FIELD_TYPE_UNSPECIFIED: IndexFieldType
INDEX_FIELD_TYPE_STRING: IndexFieldType
INDEX_FIELD_TYPE_INT: IndexFieldType
SCHEMA_EVOLUTION_UNSPECIFIED: SchemaEvolution
SCHEMA_EVOLUTION_NONE: SchemaEvolution
SCHEMA_EVOLUTION_ADD_COLUMNS: SchemaEvolution

class Key(_message.Message):
    __slots__ = ("fields",)
    class FieldsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.ScalarMap[str, str]
    def __init__(self, fields: _Optional[_Mapping[str, str]] = ...) -> None: ...

class IndexField(_message.Message):
    __slots__ = ("name", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: IndexFieldType
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[IndexFieldType, str]] = ...) -> None: ...

class IndexLevel(_message.Message):
    __slots__ = ("fields",)
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedCompositeFieldContainer[IndexField]
    def __init__(self, fields: _Optional[_Iterable[_Union[IndexField, _Mapping]]] = ...) -> None: ...

class IndexSchema(_message.Message):
    __slots__ = ("name", "field_separator", "levels")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FIELD_SEPARATOR_FIELD_NUMBER: _ClassVar[int]
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    name: str
    field_separator: str
    levels: _containers.RepeatedCompositeFieldContainer[IndexLevel]
    def __init__(self, name: _Optional[str] = ..., field_separator: _Optional[str] = ..., levels: _Optional[_Iterable[_Union[IndexLevel, _Mapping]]] = ...) -> None: ...

class InitStoreRequest(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: IndexSchema
    def __init__(self, schema: _Optional[_Union[IndexSchema, _Mapping]] = ...) -> None: ...

class InitStoreResponse(_message.Message):
    __slots__ = ("schema", "created")
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    schema: IndexSchema
    created: bool
    def __init__(self, schema: _Optional[_Union[IndexSchema, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetIndexSchemaRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetIndexSchemaResponse(_message.Message):
    __slots__ = ("schema",)
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    schema: IndexSchema
    def __init__(self, schema: _Optional[_Union[IndexSchema, _Mapping]] = ...) -> None: ...

class ListKeysRequest(_message.Message):
    __slots__ = ("prefix", "page_size", "page_token", "packed")
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PACKED_FIELD_NUMBER: _ClassVar[int]
    prefix: Key
    page_size: int
    page_token: str
    packed: bool
    def __init__(self, prefix: _Optional[_Union[Key, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., packed: _Optional[bool] = ...) -> None: ...

class ListKeysResponse(_message.Message):
    __slots__ = ("keys", "next_page_token", "packed_values", "packed_fields")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PACKED_VALUES_FIELD_NUMBER: _ClassVar[int]
    PACKED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    next_page_token: str
    packed_values: str
    packed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., packed_values: _Optional[str] = ..., packed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class Bound(_message.Message):
    __slots__ = ("int64_value", "double_value", "string_value", "timestamp_value", "uint64_value")
    INT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    UINT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    int64_value: int
    double_value: float
    string_value: str
    timestamp_value: _timestamp_pb2.Timestamp
    uint64_value: int
    def __init__(self, int64_value: _Optional[int] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ..., timestamp_value: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., uint64_value: _Optional[int] = ...) -> None: ...

class RowGroupInfo(_message.Message):
    __slots__ = ("file", "rows", "min", "max", "bytes", "schema_version")
    FILE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    file: str
    rows: int
    min: Bound
    max: Bound
    bytes: int
    schema_version: int
    def __init__(self, file: _Optional[str] = ..., rows: _Optional[int] = ..., min: _Optional[_Union[Bound, _Mapping]] = ..., max: _Optional[_Union[Bound, _Mapping]] = ..., bytes: _Optional[int] = ..., schema_version: _Optional[int] = ...) -> None: ...

class VersionSelector(_message.Message):
    __slots__ = ("generation", "as_of", "snapshot")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    generation: int
    as_of: _timestamp_pb2.Timestamp
    snapshot: str
    def __init__(self, generation: _Optional[int] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., snapshot: _Optional[str] = ...) -> None: ...

class RetentionPolicy(_message.Message):
    __slots__ = ("generations", "duration")
    GENERATIONS_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    generations: int
    duration: _duration_pb2.Duration
    def __init__(self, generations: _Optional[int] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class DescribeRequest(_message.Message):
    __slots__ = ("key", "version")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    version: VersionSelector
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., version: _Optional[_Union[VersionSelector, _Mapping]] = ...) -> None: ...

class DescribeResponse(_message.Message):
    __slots__ = ("ordered_on", "arrow_schema", "total_rows", "row_groups", "metadata", "generation", "key", "total_bytes", "current_generation", "current_bytes", "older_versions_bytes", "committed_at", "oldest_retained_generation", "retained_versions", "retention", "retention_override", "schema_history")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ORDERED_ON_FIELD_NUMBER: _ClassVar[int]
    ARROW_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    CURRENT_GENERATION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_BYTES_FIELD_NUMBER: _ClassVar[int]
    OLDER_VERSIONS_BYTES_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    OLDEST_RETAINED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    RETAINED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    RETENTION_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_HISTORY_FIELD_NUMBER: _ClassVar[int]
    ordered_on: str
    arrow_schema: bytes
    total_rows: int
    row_groups: _containers.RepeatedCompositeFieldContainer[RowGroupInfo]
    metadata: _containers.ScalarMap[str, str]
    generation: int
    key: Key
    total_bytes: int
    current_generation: int
    current_bytes: int
    older_versions_bytes: int
    committed_at: _timestamp_pb2.Timestamp
    oldest_retained_generation: int
    retained_versions: int
    retention: RetentionPolicy
    retention_override: RetentionPolicy
    schema_history: _containers.RepeatedCompositeFieldContainer[SchemaVersion]
    def __init__(self, ordered_on: _Optional[str] = ..., arrow_schema: _Optional[bytes] = ..., total_rows: _Optional[int] = ..., row_groups: _Optional[_Iterable[_Union[RowGroupInfo, _Mapping]]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., generation: _Optional[int] = ..., key: _Optional[_Union[Key, _Mapping]] = ..., total_bytes: _Optional[int] = ..., current_generation: _Optional[int] = ..., current_bytes: _Optional[int] = ..., older_versions_bytes: _Optional[int] = ..., committed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., oldest_retained_generation: _Optional[int] = ..., retained_versions: _Optional[int] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ..., retention_override: _Optional[_Union[RetentionPolicy, _Mapping]] = ..., schema_history: _Optional[_Iterable[_Union[SchemaVersion, _Mapping]]] = ...) -> None: ...

class SchemaVersion(_message.Message):
    __slots__ = ("generation", "arrow_schema", "added_columns", "widened_columns", "row_groups")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    ARROW_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    ADDED_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    WIDENED_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_FIELD_NUMBER: _ClassVar[int]
    generation: int
    arrow_schema: bytes
    added_columns: _containers.RepeatedScalarFieldContainer[str]
    widened_columns: _containers.RepeatedScalarFieldContainer[str]
    row_groups: int
    def __init__(self, generation: _Optional[int] = ..., arrow_schema: _Optional[bytes] = ..., added_columns: _Optional[_Iterable[str]] = ..., widened_columns: _Optional[_Iterable[str]] = ..., row_groups: _Optional[int] = ...) -> None: ...

class RowGroupTarget(_message.Message):
    __slots__ = ("rows", "period")
    ROWS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    rows: int
    period: str
    def __init__(self, rows: _Optional[int] = ..., period: _Optional[str] = ...) -> None: ...

class WriteHeader(_message.Message):
    __slots__ = ("key", "ordered_on", "duplicates_on", "drop_duplicates", "row_group_target", "max_n_off_target_rgs", "metadata", "remove_metadata", "sort", "compression", "retention", "schema_evolution")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_FIELD_NUMBER: _ClassVar[int]
    ORDERED_ON_FIELD_NUMBER: _ClassVar[int]
    DUPLICATES_ON_FIELD_NUMBER: _ClassVar[int]
    DROP_DUPLICATES_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUP_TARGET_FIELD_NUMBER: _ClassVar[int]
    MAX_N_OFF_TARGET_RGS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REMOVE_METADATA_FIELD_NUMBER: _ClassVar[int]
    SORT_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_EVOLUTION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    ordered_on: str
    duplicates_on: _containers.RepeatedScalarFieldContainer[str]
    drop_duplicates: bool
    row_group_target: RowGroupTarget
    max_n_off_target_rgs: int
    metadata: _containers.ScalarMap[str, str]
    remove_metadata: _containers.RepeatedScalarFieldContainer[str]
    sort: bool
    compression: str
    retention: RetentionPolicy
    schema_evolution: SchemaEvolution
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., ordered_on: _Optional[str] = ..., duplicates_on: _Optional[_Iterable[str]] = ..., drop_duplicates: _Optional[bool] = ..., row_group_target: _Optional[_Union[RowGroupTarget, _Mapping]] = ..., max_n_off_target_rgs: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ..., remove_metadata: _Optional[_Iterable[str]] = ..., sort: _Optional[bool] = ..., compression: _Optional[str] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ..., schema_evolution: _Optional[_Union[SchemaEvolution, str]] = ...) -> None: ...

class WriteRequest(_message.Message):
    __slots__ = ("header", "arrow_ipc")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    ARROW_IPC_FIELD_NUMBER: _ClassVar[int]
    header: WriteHeader
    arrow_ipc: bytes
    def __init__(self, header: _Optional[_Union[WriteHeader, _Mapping]] = ..., arrow_ipc: _Optional[bytes] = ...) -> None: ...

class WriteResponse(_message.Message):
    __slots__ = ("rows_received", "total_rows", "row_groups_rewritten", "row_groups_added", "row_groups_total", "generation")
    ROWS_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_REWRITTEN_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_ADDED_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    rows_received: int
    total_rows: int
    row_groups_rewritten: int
    row_groups_added: int
    row_groups_total: int
    generation: int
    def __init__(self, rows_received: _Optional[int] = ..., total_rows: _Optional[int] = ..., row_groups_rewritten: _Optional[int] = ..., row_groups_added: _Optional[int] = ..., row_groups_total: _Optional[int] = ..., generation: _Optional[int] = ...) -> None: ...

class RangeQueryRequest(_message.Message):
    __slots__ = ("key", "start", "end", "end_inclusive", "columns", "max_rows_per_chunk", "version")
    KEY_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    END_INCLUSIVE_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    MAX_ROWS_PER_CHUNK_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    start: Bound
    end: Bound
    end_inclusive: bool
    columns: _containers.RepeatedScalarFieldContainer[str]
    max_rows_per_chunk: int
    version: VersionSelector
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., start: _Optional[_Union[Bound, _Mapping]] = ..., end: _Optional[_Union[Bound, _Mapping]] = ..., end_inclusive: _Optional[bool] = ..., columns: _Optional[_Iterable[str]] = ..., max_rows_per_chunk: _Optional[int] = ..., version: _Optional[_Union[VersionSelector, _Mapping]] = ...) -> None: ...

class RangeQueryResponse(_message.Message):
    __slots__ = ("arrow_ipc", "padding")
    ARROW_IPC_FIELD_NUMBER: _ClassVar[int]
    PADDING_FIELD_NUMBER: _ClassVar[int]
    arrow_ipc: bytes
    padding: bytes
    def __init__(self, arrow_ipc: _Optional[bytes] = ..., padding: _Optional[bytes] = ...) -> None: ...

class QueryIntersectionsRequest(_message.Message):
    __slots__ = ("keys", "start", "end", "columns", "version")
    KEYS_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    start: Bound
    end: Bound
    columns: _containers.RepeatedScalarFieldContainer[str]
    version: VersionSelector
    def __init__(self, keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., start: _Optional[_Union[Bound, _Mapping]] = ..., end: _Optional[_Union[Bound, _Mapping]] = ..., columns: _Optional[_Iterable[str]] = ..., version: _Optional[_Union[VersionSelector, _Mapping]] = ...) -> None: ...

class QueryIntersectionsResponse(_message.Message):
    __slots__ = ("interval", "key_index", "interval_start", "interval_end", "arrow_ipc")
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    KEY_INDEX_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_START_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_END_FIELD_NUMBER: _ClassVar[int]
    ARROW_IPC_FIELD_NUMBER: _ClassVar[int]
    interval: int
    key_index: int
    interval_start: Bound
    interval_end: Bound
    arrow_ipc: bytes
    def __init__(self, interval: _Optional[int] = ..., key_index: _Optional[int] = ..., interval_start: _Optional[_Union[Bound, _Mapping]] = ..., interval_end: _Optional[_Union[Bound, _Mapping]] = ..., arrow_ipc: _Optional[bytes] = ...) -> None: ...

class GetMetadataRequest(_message.Message):
    __slots__ = ("key", "version")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    version: VersionSelector
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., version: _Optional[_Union[VersionSelector, _Mapping]] = ...) -> None: ...

class GetMetadataResponse(_message.Message):
    __slots__ = ("metadata",)
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    METADATA_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class UpdateMetadataRequest(_message.Message):
    __slots__ = ("key", "set", "remove", "retention")
    class SetEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    KEY_FIELD_NUMBER: _ClassVar[int]
    SET_FIELD_NUMBER: _ClassVar[int]
    REMOVE_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    set: _containers.ScalarMap[str, str]
    remove: _containers.RepeatedScalarFieldContainer[str]
    retention: RetentionPolicy
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., set: _Optional[_Mapping[str, str]] = ..., remove: _Optional[_Iterable[str]] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ...) -> None: ...

class UpdateMetadataResponse(_message.Message):
    __slots__ = ("metadata", "generation")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    METADATA_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.ScalarMap[str, str]
    generation: int
    def __init__(self, metadata: _Optional[_Mapping[str, str]] = ..., generation: _Optional[int] = ...) -> None: ...

class VersionChange(_message.Message):
    __slots__ = ("operation", "rows_received", "row_groups_rewritten", "row_groups_added", "metadata_changed", "restored_from")
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    ROWS_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_REWRITTEN_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_ADDED_FIELD_NUMBER: _ClassVar[int]
    METADATA_CHANGED_FIELD_NUMBER: _ClassVar[int]
    RESTORED_FROM_FIELD_NUMBER: _ClassVar[int]
    operation: str
    rows_received: int
    row_groups_rewritten: int
    row_groups_added: int
    metadata_changed: bool
    restored_from: int
    def __init__(self, operation: _Optional[str] = ..., rows_received: _Optional[int] = ..., row_groups_rewritten: _Optional[int] = ..., row_groups_added: _Optional[int] = ..., metadata_changed: _Optional[bool] = ..., restored_from: _Optional[int] = ...) -> None: ...

class VersionInfo(_message.Message):
    __slots__ = ("generation", "committed_at", "total_rows", "total_bytes", "row_groups", "change", "current", "snapshots", "retained_by_policy")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BYTES_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    RETAINED_BY_POLICY_FIELD_NUMBER: _ClassVar[int]
    generation: int
    committed_at: _timestamp_pb2.Timestamp
    total_rows: int
    total_bytes: int
    row_groups: int
    change: VersionChange
    current: bool
    snapshots: _containers.RepeatedScalarFieldContainer[str]
    retained_by_policy: bool
    def __init__(self, generation: _Optional[int] = ..., committed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total_rows: _Optional[int] = ..., total_bytes: _Optional[int] = ..., row_groups: _Optional[int] = ..., change: _Optional[_Union[VersionChange, _Mapping]] = ..., current: _Optional[bool] = ..., snapshots: _Optional[_Iterable[str]] = ..., retained_by_policy: _Optional[bool] = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: Key
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ("versions", "retention")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[VersionInfo]
    retention: RetentionPolicy
    def __init__(self, versions: _Optional[_Iterable[_Union[VersionInfo, _Mapping]]] = ..., retention: _Optional[_Union[RetentionPolicy, _Mapping]] = ...) -> None: ...

class RestoreVersionRequest(_message.Message):
    __slots__ = ("key", "version")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    version: VersionSelector
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., version: _Optional[_Union[VersionSelector, _Mapping]] = ...) -> None: ...

class RestoreVersionResponse(_message.Message):
    __slots__ = ("generation", "restored_generation", "total_rows")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    RESTORED_GENERATION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    generation: int
    restored_generation: int
    total_rows: int
    def __init__(self, generation: _Optional[int] = ..., restored_generation: _Optional[int] = ..., total_rows: _Optional[int] = ...) -> None: ...

class SnapshotDataset(_message.Message):
    __slots__ = ("key", "generation")
    KEY_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    key: Key
    generation: int
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., generation: _Optional[int] = ...) -> None: ...

class SnapshotInfo(_message.Message):
    __slots__ = ("name", "created_at", "dataset_count", "datasets")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DATASET_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATASETS_FIELD_NUMBER: _ClassVar[int]
    name: str
    created_at: _timestamp_pb2.Timestamp
    dataset_count: int
    datasets: _containers.RepeatedCompositeFieldContainer[SnapshotDataset]
    def __init__(self, name: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dataset_count: _Optional[int] = ..., datasets: _Optional[_Iterable[_Union[SnapshotDataset, _Mapping]]] = ...) -> None: ...

class CreateSnapshotRequest(_message.Message):
    __slots__ = ("name", "keys", "prefix", "all_keys")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    PREFIX_FIELD_NUMBER: _ClassVar[int]
    ALL_KEYS_FIELD_NUMBER: _ClassVar[int]
    name: str
    keys: _containers.RepeatedCompositeFieldContainer[Key]
    prefix: Key
    all_keys: bool
    def __init__(self, name: _Optional[str] = ..., keys: _Optional[_Iterable[_Union[Key, _Mapping]]] = ..., prefix: _Optional[_Union[Key, _Mapping]] = ..., all_keys: _Optional[bool] = ...) -> None: ...

class CreateSnapshotResponse(_message.Message):
    __slots__ = ("snapshot",)
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    snapshot: SnapshotInfo
    def __init__(self, snapshot: _Optional[_Union[SnapshotInfo, _Mapping]] = ...) -> None: ...

class ListSnapshotsRequest(_message.Message):
    __slots__ = ("include_datasets",)
    INCLUDE_DATASETS_FIELD_NUMBER: _ClassVar[int]
    include_datasets: bool
    def __init__(self, include_datasets: _Optional[bool] = ...) -> None: ...

class ListSnapshotsResponse(_message.Message):
    __slots__ = ("snapshots",)
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[SnapshotInfo]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[SnapshotInfo, _Mapping]]] = ...) -> None: ...

class DeleteSnapshotRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteSnapshotResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Lease(_message.Message):
    __slots__ = ("id", "expires_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DataFile(_message.Message):
    __slots__ = ("path", "rows", "min", "max", "bytes")
    PATH_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    path: str
    rows: int
    min: Bound
    max: Bound
    bytes: int
    def __init__(self, path: _Optional[str] = ..., rows: _Optional[int] = ..., min: _Optional[_Union[Bound, _Mapping]] = ..., max: _Optional[_Union[Bound, _Mapping]] = ..., bytes: _Optional[int] = ...) -> None: ...

class ListFilesRequest(_message.Message):
    __slots__ = ("key", "version", "lease_duration", "lease_id")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LEASE_DURATION_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    key: Key
    version: VersionSelector
    lease_duration: _duration_pb2.Duration
    lease_id: str
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., version: _Optional[_Union[VersionSelector, _Mapping]] = ..., lease_duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., lease_id: _Optional[str] = ...) -> None: ...

class ListFilesResponse(_message.Message):
    __slots__ = ("generation", "files", "lease", "ordered_on", "total_rows", "store_dir")
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    FILES_FIELD_NUMBER: _ClassVar[int]
    LEASE_FIELD_NUMBER: _ClassVar[int]
    ORDERED_ON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    STORE_DIR_FIELD_NUMBER: _ClassVar[int]
    generation: int
    files: _containers.RepeatedCompositeFieldContainer[DataFile]
    lease: Lease
    ordered_on: str
    total_rows: int
    store_dir: str
    def __init__(self, generation: _Optional[int] = ..., files: _Optional[_Iterable[_Union[DataFile, _Mapping]]] = ..., lease: _Optional[_Union[Lease, _Mapping]] = ..., ordered_on: _Optional[str] = ..., total_rows: _Optional[int] = ..., store_dir: _Optional[str] = ...) -> None: ...

class RenewLeaseRequest(_message.Message):
    __slots__ = ("lease_id", "duration")
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    duration: _duration_pb2.Duration
    def __init__(self, lease_id: _Optional[str] = ..., duration: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class RenewLeaseResponse(_message.Message):
    __slots__ = ("lease",)
    LEASE_FIELD_NUMBER: _ClassVar[int]
    lease: Lease
    def __init__(self, lease: _Optional[_Union[Lease, _Mapping]] = ...) -> None: ...

class ReleaseLeaseRequest(_message.Message):
    __slots__ = ("lease_id",)
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    def __init__(self, lease_id: _Optional[str] = ...) -> None: ...

class ReleaseLeaseResponse(_message.Message):
    __slots__ = ("released",)
    RELEASED_FIELD_NUMBER: _ClassVar[int]
    released: bool
    def __init__(self, released: _Optional[bool] = ...) -> None: ...

class RemoveRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: Key
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ...) -> None: ...

class RemoveResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CheckStoreRequest(_message.Message):
    __slots__ = ("repair",)
    REPAIR_FIELD_NUMBER: _ClassVar[int]
    repair: bool
    def __init__(self, repair: _Optional[bool] = ...) -> None: ...

class CheckFinding(_message.Message):
    __slots__ = ("key", "path", "kind", "message", "repairable", "repaired")
    KEY_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REPAIRABLE_FIELD_NUMBER: _ClassVar[int]
    REPAIRED_FIELD_NUMBER: _ClassVar[int]
    key: Key
    path: str
    kind: str
    message: str
    repairable: bool
    repaired: bool
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., path: _Optional[str] = ..., kind: _Optional[str] = ..., message: _Optional[str] = ..., repairable: _Optional[bool] = ..., repaired: _Optional[bool] = ...) -> None: ...

class HeldFile(_message.Message):
    __slots__ = ("key", "path", "held_by")
    KEY_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    HELD_BY_FIELD_NUMBER: _ClassVar[int]
    key: Key
    path: str
    held_by: str
    def __init__(self, key: _Optional[_Union[Key, _Mapping]] = ..., path: _Optional[str] = ..., held_by: _Optional[str] = ...) -> None: ...

class CheckStoreResponse(_message.Message):
    __slots__ = ("datasets", "row_groups", "findings", "held_files", "retained_versions")
    DATASETS_FIELD_NUMBER: _ClassVar[int]
    ROW_GROUPS_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    HELD_FILES_FIELD_NUMBER: _ClassVar[int]
    RETAINED_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    datasets: int
    row_groups: int
    findings: _containers.RepeatedCompositeFieldContainer[CheckFinding]
    held_files: _containers.RepeatedCompositeFieldContainer[HeldFile]
    retained_versions: int
    def __init__(self, datasets: _Optional[int] = ..., row_groups: _Optional[int] = ..., findings: _Optional[_Iterable[_Union[CheckFinding, _Mapping]]] = ..., held_files: _Optional[_Iterable[_Union[HeldFile, _Mapping]]] = ..., retained_versions: _Optional[int] = ...) -> None: ...
