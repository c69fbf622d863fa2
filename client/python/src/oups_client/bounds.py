"""Range bounds: Python values to the contract's Bound, by the type of the dataset's ordered column, and back."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Any, Optional, Union

import numpy as np
import pandas as pd
import pyarrow as pa

from ._wire import pb
from .errors import invalid_argument

#: A value of an ordered column: a time (naive means UTC), a number, or text.
BoundValue = Union[dt.datetime, dt.date, pd.Timestamp, np.datetime64, int, float, str]

_NS_PER_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_NS_PER_DAY = 86_400 * 1_000_000_000
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_UINT64_MAX = 2**64 - 1


def _epoch_ns(value: Any) -> int:
    """Nanoseconds since the epoch of a time value; a naive time is UTC."""
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise invalid_argument("a bound cannot be NaT")
        return int(value.astype("datetime64[ns]").astype(np.int64))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return (value - dt.date(1970, 1, 1)).days * _NS_PER_DAY
    if isinstance(value, str):
        value = pd.Timestamp(value)
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        raise invalid_argument("a bound cannot be NaT")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return int(stamp.as_unit("ns").value)


def _is_time(value: Any) -> bool:
    return isinstance(value, (dt.date, np.datetime64))


def _number(value: Any) -> pb.Bound:
    if isinstance(value, bool):
        raise invalid_argument(f"a bound cannot be a bool ({value!r})")
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, int):
        if _INT64_MIN <= value <= _INT64_MAX:
            return pb.Bound(int64_value=value)
        if _INT64_MAX < value <= _UINT64_MAX:
            return pb.Bound(uint64_value=value)
        return pb.Bound(double_value=float(value))
    if isinstance(value, (float, np.floating, decimal.Decimal)):
        return pb.Bound(double_value=float(value))
    if isinstance(value, str):
        return pb.Bound(string_value=value)
    raise invalid_argument(f"a bound cannot be a {type(value).__name__} ({value!r})")


def _scaled(ns: int, per: int) -> pb.Bound:
    # A whole multiple is exact; otherwise a double lets the daemon round it to the column's values.
    return pb.Bound(int64_value=ns // per) if ns % per == 0 else pb.Bound(double_value=ns / per)


def bound_to_wire(value: Any, column: Optional[pa.DataType]) -> Optional[pb.Bound]:
    """The Bound for ``value`` on a column of type ``column`` (None when unknown: no schema yet).

    Times become Timestamps for timestamp columns and day (date32) or millisecond (date64) counts for date
    columns; numbers keep their kind (the daemon rounds the other numeric kind to the column's values); a string
    is text, or a time for a timestamp or date column. Ints on a timestamp column are raw values in its unit.
    """
    if value is None:
        return None
    if isinstance(value, pa.Scalar):
        value = value.as_py()
    is_timestamp = column is not None and pa.types.is_timestamp(column)
    is_date = column is not None and pa.types.is_date(column)
    if is_timestamp or (column is None and _is_time(value)):
        if _is_time(value) or isinstance(value, str):
            ns = _epoch_ns(value)
            seconds, nanos = divmod(ns, 1_000_000_000)
            return pb.Bound(timestamp_value={"seconds": seconds, "nanos": nanos})
        return _number(value)
    if is_date:
        if _is_time(value) or isinstance(value, str):
            per = _NS_PER_DAY if pa.types.is_date32(column) else 1_000_000
            return _scaled(_epoch_ns(value), per)
        return _number(value)
    if _is_time(value):
        raise invalid_argument(f"a time bound ({value!r}) needs a timestamp or date ordered column, not {column}")
    if isinstance(value, float) and math.isnan(value):
        return pb.Bound(double_value=value)  # the daemon names the problem
    return _number(value)


def bound_from_wire(bound: pb.Bound, column: Optional[pa.DataType]) -> Any:
    """A bound the daemon sent as a Python value: ``pandas.Timestamp`` for timestamps (in the column's time zone,
    naive for a column without one), ``datetime.date`` for dates, else int, float or str; None when open."""
    kind = bound.WhichOneof("value")
    if kind is None:
        return None
    if kind == "timestamp_value":
        ts = bound.timestamp_value
        unit = column.unit if column is not None and pa.types.is_timestamp(column) else "ns"
        ns = ts.seconds * 1_000_000_000 + ts.nanos
        return _stamp(ns // _NS_PER_UNIT[unit], unit, column)
    if kind == "uint64_value":
        return bound.uint64_value
    if kind == "int64_value":
        value = bound.int64_value
        if column is not None and pa.types.is_date32(column):
            return dt.date(1970, 1, 1) + dt.timedelta(days=value)
        if column is not None and pa.types.is_date64(column):
            return dt.date(1970, 1, 1) + dt.timedelta(milliseconds=value)
        if column is not None and pa.types.is_timestamp(column):
            return _stamp(value, column.unit, column)
        return value
    return getattr(bound, kind)


def _stamp(value: int, unit: str, column: Optional[pa.DataType]) -> pd.Timestamp:
    """A raw timestamp in ``unit`` as a pandas Timestamp of that resolution (so that instants outside the
    nanosecond range still fit), in the column's time zone, naive for a column without one."""
    stamp = pd.Timestamp(np.datetime64(value, unit)).tz_localize("UTC")
    if column is not None and pa.types.is_timestamp(column):
        return stamp.tz_convert(column.tz) if column.tz else stamp.tz_localize(None)
    return stamp
