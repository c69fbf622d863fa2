"""Naming a version of a dataset for a read: a generation, the state as of an instant, or a snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np
import pandas as pd

from ._wire import pb
from .errors import invalid_argument


@dataclass(frozen=True)
class Generation:
    """A dataset's generation number (as in :attr:`DatasetDescription.generation`)."""

    number: int


@dataclass(frozen=True)
class AsOf:
    """The generation that was current at an instant: the newest committed at or before it. ``time`` is a
    ``datetime`` (naive means UTC), a ``pandas.Timestamp``, a ``numpy.datetime64`` or an ISO 8601 string."""

    time: Union[dt.datetime, pd.Timestamp, np.datetime64, str]


@dataclass(frozen=True)
class Snapshot:
    """The generation a named snapshot recorded for the dataset."""

    name: str


#: How a read names a version: ``Generation(n)``/``AsOf(t)``/``Snapshot(name)``, or as a shortcut an int (a
#: generation), a ``datetime``/``pandas.Timestamp``/``numpy.datetime64`` (as of that instant) or a str (a
#: snapshot's name; pass ``AsOf("2024-01-02T10:00Z")`` for a time written as text). None: the current version.
VersionLike = Union[Generation, AsOf, Snapshot, int, dt.datetime, pd.Timestamp, np.datetime64, str]


def as_version(version: Any) -> Optional[Union[Generation, AsOf, Snapshot]]:
    """The selector a ``version=`` argument names (None for the current version)."""
    if version is None or isinstance(version, (Generation, AsOf, Snapshot)):
        return version
    if isinstance(version, bool):
        raise invalid_argument(f"a version cannot be a bool ({version!r})")
    if isinstance(version, (int, np.integer)):
        return Generation(int(version))
    if isinstance(version, (dt.datetime, np.datetime64)):  # pandas.Timestamp is a datetime
        return AsOf(version)
    if isinstance(version, str):
        return Snapshot(version)
    raise invalid_argument(
        f"a version is a Generation, AsOf or Snapshot (or an int, a datetime or a snapshot name), "
        f"not a {type(version).__name__} ({version!r})"
    )


def utc_timestamp(value: Any) -> pd.Timestamp:
    """An instant as a UTC ``pandas.Timestamp`` (a naive time is UTC)."""
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        raise invalid_argument("an instant cannot be NaT")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def version_to_wire(version: Any) -> Optional[pb.VersionSelector]:
    """The contract's VersionSelector for a ``version=`` argument; None for the current version."""
    selector = as_version(version)
    if selector is None:
        return None
    if isinstance(selector, Generation):
        if isinstance(selector.number, bool) or not isinstance(selector.number, (int, np.integer)) or selector.number < 0:
            raise invalid_argument(f"a generation is a whole number >= 0, got {selector.number!r}")
        return pb.VersionSelector(generation=int(selector.number))
    if isinstance(selector, AsOf):
        ns = int(utc_timestamp(selector.time).as_unit("ns").value)
        seconds, nanos = divmod(ns, 1_000_000_000)
        return pb.VersionSelector(as_of={"seconds": seconds, "nanos": nanos})
    if not isinstance(selector.name, str) or selector.name == "":
        raise invalid_argument(f"a snapshot name is a non-empty string, got {selector.name!r}")
    return pb.VersionSelector(snapshot=selector.name)


def timestamp_from_wire(ts: Any) -> pd.Timestamp:
    """A protobuf Timestamp as a UTC ``pandas.Timestamp``."""
    return pd.Timestamp(ts.seconds * 1_000_000_000 + ts.nanos, unit="ns", tz="UTC")


def duration_to_wire(value: Union[None, float, int, dt.timedelta, pd.Timedelta]) -> Optional[dict[str, int]]:
    """A duration (seconds as a number, or a timedelta) as the fields of a protobuf Duration; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise invalid_argument(f"a duration cannot be a bool ({value!r})")
    if isinstance(value, (dt.timedelta, pd.Timedelta)):
        ns = int(pd.Timedelta(value).value)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ns = int(round(float(value) * 1_000_000_000))
    else:
        raise invalid_argument(f"a duration is seconds or a timedelta, not a {type(value).__name__}")
    if ns < 0:
        raise invalid_argument(f"a duration cannot be negative ({value!r})")
    seconds, nanos = divmod(ns, 1_000_000_000)
    return {"seconds": seconds, "nanos": nanos}


def duration_from_wire(duration: Any) -> pd.Timedelta:
    """A protobuf Duration as a ``pandas.Timedelta``."""
    return pd.Timedelta(duration.seconds * 1_000_000_000 + duration.nanos, unit="ns")
