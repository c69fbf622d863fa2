"""What calls return: plain dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, Union, overload

import pandas as pd
import pyarrow as pa

from .keys import Key


@dataclass(frozen=True)
class WriteResult:
    """What a committed write reports (the WriteResponse fields)."""

    rows_received: int
    total_rows: int
    row_groups_rewritten: int
    row_groups_added: int
    row_groups_total: int
    generation: int


@dataclass(frozen=True)
class RowGroup:
    """One row group of a dataset; ``min``/``max`` are values of the ordered column."""

    file: str
    rows: int
    min: Any
    max: Any
    bytes: int
    #: Index in ``DatasetDescription.schema_history`` of the schema the row group was written with.
    schema_version: int = 0


@dataclass(frozen=True)
class SchemaVersion:
    """One schema a dataset has had: the generation that introduced it (0: before the history was kept), the
    columns it added (every column for the first version), those it widened, and the row groups stored with it."""

    generation: int
    schema: pa.Schema
    added_columns: list[str] = field(default_factory=list)
    widened_columns: list[str] = field(default_factory=list)
    row_groups: int = 0


@dataclass(frozen=True)
class DatasetDescription:
    """A dataset's ordered column, Arrow schema (None for a dataset created by a metadata-only write), row groups
    and metadata."""

    key: Key
    ordered_on: str
    schema: Optional[pa.Schema]
    total_rows: int
    total_bytes: int
    row_groups: list[RowGroup] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    generation: int = 0
    #: The dataset's current generation (equal to ``generation`` unless an older version was described).
    current_generation: int = 0
    #: Bytes of the current generation's row-group files.
    current_bytes: int = 0
    #: Bytes of files only older generations (retained or held by snapshots) use: what keeping versions costs.
    older_versions_bytes: int = 0
    #: When the described generation was committed (UTC); None for one committed before versions were kept.
    committed_at: Optional[pd.Timestamp] = None
    #: The oldest generation still retained (by the policy or a snapshot).
    oldest_retained_generation: int = 0
    #: Generations retained, the current one included.
    retained_versions: int = 0
    #: The retention policy in force (the store's, with the dataset's override applied).
    retention: Optional["RetentionPolicy"] = None
    #: The dataset's own override; None when it follows the store's policy.
    retention_override: Optional["RetentionPolicy"] = None
    #: The schemas the dataset has had, oldest first; the last is ``schema``.
    schema_history: list[SchemaVersion] = field(default_factory=list)

    @property
    def ordered_type(self) -> Optional[pa.DataType]:
        """The Arrow type of the ordered column, when the dataset has a schema."""
        if self.schema is None or self.schema.get_field_index(self.ordered_on) < 0:
            return None
        return self.schema.field(self.ordered_on).type


@dataclass(frozen=True)
class RetentionPolicy:
    """Which older generations a dataset keeps: a generation is kept while either rule holds, it is among the last
    ``generations`` before the current one, or it was replaced less than ``duration`` ago. In an override, a rule
    left None follows the store's; ``RetentionPolicy()`` returns a dataset to the store's policy."""

    generations: Optional[int] = None
    duration: Optional[Union[dt.timedelta, pd.Timedelta]] = None


@dataclass(frozen=True)
class VersionChange:
    """What the commit that made a generation did."""

    #: ``"write"``, ``"update-metadata"``, ``"restore"`` or ``"retention"`` (later daemons may add kinds).
    operation: str
    rows_received: int
    row_groups_rewritten: int
    row_groups_added: int
    metadata_changed: bool
    #: For a restore, the generation restored.
    restored_from: Optional[int] = None


@dataclass(frozen=True)
class VersionInfo:
    """One retained generation of a dataset."""

    generation: int
    #: When it was committed (UTC); None for one committed before versions were kept.
    committed_at: Optional[pd.Timestamp]
    total_rows: int
    total_bytes: int
    row_groups: int
    #: What the commit did; None when not recorded.
    change: Optional[VersionChange]
    current: bool
    #: Names of the snapshots holding it, sorted.
    snapshots: list[str] = field(default_factory=list)
    #: Whether the retention policy keeps it (False: only snapshots do).
    retained_by_policy: bool = True


@dataclass(frozen=True)
class Versions:
    """A dataset's retained versions, oldest first (the last is the current one), and the policy in force.
    Iterable, sized and indexable like the list it holds."""

    versions: list[VersionInfo]
    retention: Optional[RetentionPolicy]

    @property
    def current(self) -> VersionInfo:
        """The current version."""
        return self.versions[-1]

    @property
    def generations(self) -> list[int]:
        """The retained generations, oldest first."""
        return [v.generation for v in self.versions]

    def __iter__(self) -> Iterator[VersionInfo]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    @overload
    def __getitem__(self, index: int) -> VersionInfo: ...
    @overload
    def __getitem__(self, index: slice) -> list[VersionInfo]: ...
    def __getitem__(self, index: Union[int, slice]) -> Union[VersionInfo, list[VersionInfo]]:
        return self.versions[index]


@dataclass(frozen=True)
class RestoreResult:
    """What a restore committed: a new generation equal in content to the restored one."""

    generation: int
    restored_generation: int
    total_rows: int


@dataclass(frozen=True)
class SnapshotDataset:
    """One dataset a snapshot holds, and the generation it recorded."""

    key: Key
    generation: int


@dataclass(frozen=True)
class SnapshotInfo:
    """A snapshot: its name, creation time (UTC) and datasets (filled by ``create_snapshot``, and by
    ``list_snapshots(include_datasets=True)``)."""

    name: str
    created_at: Optional[pd.Timestamp]
    dataset_count: int
    datasets: list[SnapshotDataset] = field(default_factory=list)

    def generation_of(self, key: Any) -> Optional[int]:
        """The generation recorded for a key (a :class:`Key` or a mapping of its fields), None when not held."""
        wanted = dict(key)
        return next((d.generation for d in self.datasets if dict(d.key) == wanted), None)


@dataclass(frozen=True)
class DataFile:
    """One row-group file of a version: ``path`` is relative to the store (``/``-separated); ``min``/``max`` are
    values of the ordered column."""

    path: str
    rows: int
    min: Any
    max: Any
    bytes: int
