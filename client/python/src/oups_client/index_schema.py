"""Index schemas: how keys map to directories (toplevel fields, then one nested level per sublevel)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Mapping, Sequence, Union

from ._wire import pb

#: The type of an index field: text, or an integer (sent in canonical base-10 form).
IndexFieldType = Literal["string", "int"]


@dataclass(frozen=True)
class IndexField:
    """One named field of an index level."""

    name: str
    type: IndexFieldType = "string"


@dataclass(frozen=True)
class IndexSchema:
    """An index schema: ``levels[0]`` holds the toplevel fields, each further level one directory level.

    Build one with :func:`toplevel` or :meth:`IndexSchema.parse`.
    """

    name: str
    levels: tuple[tuple[IndexField, ...], ...]
    field_separator: str = "-"

    @classmethod
    def parse(cls, spec: str, name: str = "index", field_separator: str = "-") -> "IndexSchema":
        """Parses the CLI form of a schema: fields separated by ``,``, levels by ``/``, each with an optional
        ``:int`` or ``:string`` suffix (``"symbol,year:int/month:int"``)."""
        levels = []
        for level in spec.split("/"):
            fields = []
            for token in level.split(","):
                text = token.strip()
                field_name, _, type_name = text.partition(":")
                fields.append(IndexField(field_name.strip(), _field_type(type_name.strip() or "string")))
            levels.append(tuple(fields))
        return cls(name, tuple(levels), field_separator)

    @property
    def fields(self) -> tuple[IndexField, ...]:
        """Every field, toplevel first, in path order."""
        return tuple(field for level in self.levels for field in level)

    def same_layout(self, other: "IndexSchema") -> bool:
        """True when both schemas give the same paths (same fields, types, levels and separator; names aside)."""
        return self.field_separator == other.field_separator and self.levels == other.levels

    def to_wire(self) -> pb.IndexSchema:
        return pb.IndexSchema(
            name=self.name,
            field_separator=self.field_separator,
            levels=[
                pb.IndexLevel(
                    fields=[
                        pb.IndexField(
                            name=f.name,
                            type=pb.INDEX_FIELD_TYPE_INT if f.type == "int" else pb.INDEX_FIELD_TYPE_STRING,
                        )
                        for f in level
                    ]
                )
                for level in self.levels
            ],
        )

    @classmethod
    def from_wire(cls, message: pb.IndexSchema) -> "IndexSchema":
        return cls(
            message.name,
            tuple(
                tuple(
                    IndexField(f.name, "int" if f.type == pb.INDEX_FIELD_TYPE_INT else "string") for f in level.fields
                )
                for level in message.levels
            ),
            message.field_separator or "-",
        )


def toplevel(name: str, *levels: Mapping[str, IndexFieldType], field_separator: str = "-") -> IndexSchema:
    """Declares an index schema like the original oups ``@toplevel`` class.

    ``toplevel("DataIndex", {"symbol": "string", "year": "int"}, {"month": "int"})`` stores the key
    ``{"symbol": "AAPL", "year": 2023, "month": 1}`` in ``AAPL-2023/1/``.
    """
    if not levels:
        raise ValueError(f"{name}: an index needs at least one level of fields")
    return IndexSchema(
        name,
        tuple(tuple(IndexField(field, _field_type(kind)) for field, kind in level.items()) for level in levels),
        field_separator,
    )


IndexLike = Union[IndexSchema, str]


def as_index_schema(index: IndexLike) -> IndexSchema:
    """An :class:`IndexSchema`, or the CLI form of one (``"symbol,year:int/month:int"``)."""
    if isinstance(index, IndexSchema):
        return index
    if isinstance(index, str):
        return IndexSchema.parse(index)
    raise TypeError(f"index must be an IndexSchema or a spec such as 'symbol,year:int', got {type(index).__name__}")


def _field_type(kind: str) -> IndexFieldType:
    if kind == "int" or kind == "string":
        return kind
    raise ValueError(f'index field type {kind!r} is not "string" or "int"')


__all__: Sequence[str] = ["IndexField", "IndexFieldType", "IndexSchema", "toplevel"]
