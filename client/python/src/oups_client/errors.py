"""The SDK's errors: every failure of a call is an :class:`OupsError`."""

from __future__ import annotations

import grpc

#: Trailing metadata key under which the daemon sends its error code (see the daemon's rpc/service-error module).
ERROR_CODE_METADATA_KEY = "oups-error-code"


class OupsError(Exception):
    """An error from the daemon, the transport or a check made before sending.

    Attributes:
        code: the daemon's error code (``"UNORDERED_INPUT"``, ``"NOT_FOUND"``, ...) when it sent one, else the name
            of the gRPC status (``"DEADLINE_EXCEEDED"``).
        grpc_code: the gRPC status.
        message: what went wrong, as the daemon (or the SDK) put it.
    """

    def __init__(self, code: str, grpc_code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.grpc_code = grpc_code
        self.message = message


class OupsConnectionError(OupsError):
    """The daemon could not be reached (or the connection was lost): a gRPC UNAVAILABLE without a daemon error code."""


def invalid_argument(message: str, code: str = "INVALID_ARGUMENT") -> OupsError:
    """An error the daemon would report as INVALID_ARGUMENT, found before sending."""
    return OupsError(code, grpc.StatusCode.INVALID_ARGUMENT, message)


def from_rpc_error(err: grpc.RpcError) -> OupsError:
    """Wraps a failed gRPC call: the daemon's code from the trailer, else the status name."""
    status: grpc.StatusCode = err.code() if callable(getattr(err, "code", None)) else grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]
    details = err.details() if callable(getattr(err, "details", None)) else str(err)  # type: ignore[attr-defined]
    trailer = err.trailing_metadata() if callable(getattr(err, "trailing_metadata", None)) else None  # type: ignore[attr-defined]
    sent = next((value for key, value in (trailer or ()) if key == ERROR_CODE_METADATA_KEY), None)
    message = details or status.name
    if isinstance(sent, bytes):
        sent = sent.decode("utf-8", "replace")
    if sent:
        return OupsError(sent, status, message)
    if status == grpc.StatusCode.UNAVAILABLE:
        return OupsConnectionError("UNAVAILABLE", status, message)
    return OupsError(status.name, status, message)
