"""The contract's messages and the StoreService methods, from the code generated out of proto/ (never edited).

Only the message module is generated: grpc_python's service stubs import it as the top-level package ``oups``,
which is the name of the original oups library a user may have installed beside this SDK. The methods are built
here from the generated service descriptor instead, so their paths and message types still come from the proto.
"""

from __future__ import annotations

from typing import Any, Callable

import grpc

from ._gen.oups.v1 import store_pb2 as pb

SERVICE = pb.DESCRIPTOR.services_by_name["StoreService"]


def _message_class(descriptor: Any) -> Any:
    return getattr(pb, descriptor.name)


class StoreStub:
    """One callable per StoreService method (``stub.Describe(request, metadata=...)``), named as in the proto."""

    def __init__(self, channel: grpc.Channel) -> None:
        for method in SERVICE.methods:
            path = f"/{SERVICE.full_name}/{method.name}"
            request = _message_class(method.input_type)
            response = _message_class(method.output_type)
            if method.client_streaming and method.server_streaming:
                factory: Callable[..., Any] = channel.stream_stream
            elif method.client_streaming:
                factory = channel.stream_unary
            elif method.server_streaming:
                factory = channel.unary_stream
            else:
                factory = channel.unary_unary
            setattr(
                self,
                method.name,
                factory(path, request_serializer=request.SerializeToString, response_deserializer=response.FromString),
            )

    def __getattr__(self, name: str) -> Any:  # pragma: no cover - for type checkers: methods are set in __init__
        raise AttributeError(name)
