"""What calls return: plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

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
    #: The schemas the dataset has had, oldest first; the last is ``schema``.
    schema_history: list[SchemaVersion] = field(default_factory=list)

    @property
    def ordered_type(self) -> Optional[pa.DataType]:
        """The Arrow type of the ordered column, when the dataset has a schema."""
        if self.schema is None or self.schema.get_field_index(self.ordered_on) < 0:
            return None
        return self.schema.field(self.ordered_on).type
