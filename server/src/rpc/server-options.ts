import type { ChannelOptions } from "@grpc/grpc-js";
import type { ServingLimits } from "../serving-limits.js";

/**
 * The grpc-js Server options of the daemon's limits: message size, streams per connection, and keepalive pings
 * so that a peer that vanished (host down, network cut) is noticed and its calls end, releasing what they hold.
 */
export function serverOptions(limits: ServingLimits): ChannelOptions {
  return {
    "grpc.max_receive_message_length": limits.maxMessageBytes,
    "grpc.max_send_message_length": limits.maxMessageBytes,
    // Announced in the HTTP/2 SETTINGS: calls past it wait in the client until one ends.
    "grpc.max_concurrent_streams": limits.maxConcurrentStreams,
    // Keepalive off (0): grpc-js's own default, which never pings.
    ...(limits.keepaliveTimeMs > 0
      ? { "grpc.keepalive_time_ms": limits.keepaliveTimeMs, "grpc.keepalive_timeout_ms": limits.keepaliveTimeoutMs }
      : {}),
    // The policy for clients' pings, under gRPC's common names: idle connections may ping, as often as every 10 s
    // (the SDK pings every 60 s). grpc-js 1.14's server enforces neither (it never answers pings with a GOAWAY);
    // they keep the SDK's pings welcome under a grpc-js that does.
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 10_000,
  };
}
