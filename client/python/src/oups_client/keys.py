"""Dataset keys, checked against the index schema before sending, with the daemon's rules and messages
(server/src/store/keys/key.ts), so that a bad key fails the same way with or without a round trip."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Iterator, Mapping, Sequence, Union

from .errors import invalid_argument
from .index_schema import IndexField, IndexSchema

#: Longest accepted key value, in UTF-16 code units (the daemon counts JavaScript string length).
MAX_KEY_VALUE_LENGTH = 128
_MAX_DIR_NAME_BYTES = 255
_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]*")
_MAX_SAFE_INTEGER = 2**53 - 1
# The Unicode categories the daemon's /[\p{C}\p{Zl}\p{Zp}]/u matches: controls, format characters, surrogates,
# private use, unassigned; line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

KeyValue = Union[str, int]


class Key(Mapping[str, KeyValue]):
    """A dataset key: field name to value (``int`` fields as ints), read-only and hashable.

    It compares equal to a dict with the same items, so ``key == {"symbol": "AAPL", "year": 2023}`` holds.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, KeyValue]) -> None:
        self._fields = dict(fields)

    def __getitem__(self, name: str) -> KeyValue:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __hash__(self) -> int:
        return hash(tuple(self._fields.items()))

    def __repr__(self) -> str:
        return f"Key({self._fields!r})"


def _js_length(value: str) -> int:
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def _js_json(value: Any) -> str:
    """JSON.stringify of a string: like json.dumps without ASCII escaping, lone surrogates escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _describe_char(char: str) -> str:
    if char in "/\\":
        return f'the path separator "{char}"'
    if char == ".":
        return '"." (dots are not allowed, which also rules out "." and "..")'
    return f"the non-printable character U+{ord(char):04X}"


def key_value_problem(field: IndexField, value: Any, separator: str) -> str | None:
    """Why ``value`` is not valid for ``field`` (a phrase such as ``is empty``), or None when it is."""
    if not isinstance(value, str):
        return f"must be a string or an integer, got {type(value).__name__}"
    if len(value) == 0:
        return "is empty"
    length = _js_length(value)
    if length > MAX_KEY_VALUE_LENGTH:
        return f"is {length} characters long, over the limit of {MAX_KEY_VALUE_LENGTH}"
    if separator in value:
        hint = (
            ' (negative integers need a field separator other than "-")'
            if field.type == "int" and separator == "-" and value.startswith("-")
            else ""
        )
        return f'contains the field separator "{separator}"{hint}'
    for char in value:
        if char in "/\\." or unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            return f"contains {_describe_char(char)}"
    if field.type == "int" and not (_CANONICAL_INT.fullmatch(value) and abs(int(value)) <= _MAX_SAFE_INTEGER):
        return "is not a canonical base-10 integer within the safe integer range (no leading zeros, no '+')"
    return None


def _text(value: Any) -> Any:
    # Integers are sent in base 10; bool is an int subclass in Python but never a key value.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def key_to_wire(schema: IndexSchema, key: Mapping[str, Any]) -> dict[str, str]:
    """Checks a key against the schema and returns its wire form (every value as text, in schema order).

    Raises:
        OupsError: ``INVALID_KEY`` naming the field and the problem, with the daemon's message.
    """

    def invalid(message: str) -> Exception:
        return invalid_argument(f'invalid key for index "{schema.name}": {message}', "INVALID_KEY")

    if not isinstance(key, Mapping):
        raise invalid("expected an object")
    result: dict[str, str] = {}
    for level in schema.levels:
        for field in level:
            if field.name not in key:
                raise invalid(f'missing field "{field.name}"')
            value = _text(key[field.name])
            problem = key_value_problem(field, value, schema.field_separator)
            if problem is not None:
                shown = _js_json(value) if isinstance(value, str) else repr(value)
                raise invalid(f'field "{field.name}" value {shown} {problem}')
            result[field.name] = value
        dir_name = schema.field_separator.join(result[f.name] for f in level)
        if len(dir_name.encode("utf-8")) > _MAX_DIR_NAME_BYTES:
            names = ", ".join(f'"{f.name}"' for f in level)
            raise invalid(f"fields {names} make a directory name longer than {_MAX_DIR_NAME_BYTES} bytes")
    if len(key) != len(result):
        extra = next(name for name in key if name not in result)
        raise invalid(f'unknown field "{extra}"')
    return result


def keys_from_packed(schema: IndexSchema | None, names: Sequence[str], packed: str) -> list[Key]:
    """The keys of a packed ListKeys page (``packed_values``, ``packed_fields``), as :func:`key_from_wire` makes
    them: column by column (one ``int`` conversion per value of an int field), no mapping per key in between."""
    values = packed.split("\n")
    values.pop()  # the empty string after the last newline
    width = len(names)
    if width == 0 or len(values) % width != 0:
        raise ValueError(f"ListKeys answered {len(values)} packed values for {width} fields per key")
    # (name, position in the page's fields, int?) in the schema's order, as key_from_wire orders a key.
    plan = (
        [(f.name, names.index(f.name), f.type == "int") for f in schema.fields if f.name in names]
        if schema is not None
        else [(name, i, False) for i, name in enumerate(names)]
    )
    columns = [list(map(int, values[at::width])) if is_int else values[at::width] for _, at, is_int in plan]
    order = tuple(name for name, _, _ in plan)
    out: list[Key] = []
    new = Key.__new__
    for row in zip(*columns):
        key = new(Key)
        key._fields = dict(zip(order, row))
        out.append(key)
    return out


def key_from_wire(schema: IndexSchema | None, fields: Mapping[str, str]) -> Key:
    """A key as the daemon sent it, with ``int`` fields as ints, in schema order."""
    if schema is None:
        return Key(fields)
    out: dict[str, KeyValue] = {}
    for field in schema.fields:
        text = fields.get(field.name)
        if text is not None:
            out[field.name] = int(text) if field.type == "int" else text
    return Key(out)
