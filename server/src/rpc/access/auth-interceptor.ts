import type { ServerInterceptingCallInterface, ServerInterceptor, ServerMethodDefinition, status } from "@grpc/grpc-js";
import { ResponderBuilder, ServerInterceptingCall, ServerListenerBuilder } from "@grpc/grpc-js";
import { StoreService } from "../contract.js";
import type { AccessErrorCode } from "../service-error.js";
import { toAccessDeniedStatus } from "../service-error.js";
import type { TokenRole } from "./token-file.js";
import type { TokenRegistry } from "./token-registry.js";

/** Path prefix of the standard health service, which load balancers and supervisors probe without a token. */
const HEALTH_PREFIX = "/grpc.health.v1.Health/";

/**
 * The StoreService methods a read token may call. Any other StoreService method needs a write token, so that a
 * method added later is protected until it is listed here.
 */
const READ_METHODS: ReadonlySet<string> = new Set(["GetIndexSchema", "ListKeys", "Describe", "RangeQuery", "QueryIntersections", "GetMetadata", "ListVersions", "ListSnapshots", "ListFiles", "RenewLease", "ReleaseLease"]);

/** The role a call to `path` (`/package.Service/Method`) needs; undefined for the health service (no token). */
export function requiredRole(path: string): TokenRole | undefined {
  if (path.startsWith(HEALTH_PREFIX)) return undefined;
  const storePrefix = `/${StoreService.typeName}/`;
  if (path.startsWith(storePrefix)) return READ_METHODS.has(path.slice(storePrefix.length)) ? "read" : "write";
  // Reflection and anything else: a token of either role.
  return "read";
}

/** A call refused for lack of access, as the call log and the metrics see it (never with its token). */
export interface RefusedCall {
  /** The method's name in the contract (`Write`), or its whole path outside StoreService. */
  method: string;
  code: status;
  peer: string;
  message: string;
}

/**
 * A server interceptor that lets a call through to its handler only when its `authorization: Bearer TOKEN` metadata
 * names a token of `tokens` with the role the method needs. Refused calls end before any handler runs, so that
 * nothing is read from or written to the store. Tokens are neither logged nor echoed.
 */
export function createAuthInterceptor(tokens: TokenRegistry, onRefused: (call: RefusedCall) => void = () => {}): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const needed = requiredRole(method.path);
    if (needed === undefined) return new ServerInterceptingCall(call);
    const storePrefix = `/${StoreService.typeName}/`;
    const name = method.path.startsWith(storePrefix) ? method.path.slice(storePrefix.length) : method.path;
    const refuse = (code: AccessErrorCode, message: string) => {
      const refusal = toAccessDeniedStatus(code, message);
      call.sendStatus(refusal);
      onRefused({ method: name, code: refusal.code, peer: call.getPeer(), message });
    };
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const token = bearerToken(metadata.get("authorization"));
        if (token === undefined) return refuse("UNAUTHENTICATED", "this daemon requires a token: send 'authorization: Bearer TOKEN'");
        const role = tokens.roleOf(token);
        if (role === undefined) return refuse("UNAUTHENTICATED", "unknown bearer token");
        if (needed === "write" && role !== "write") return refuse("FORBIDDEN", `${name} needs a write token; this token may only read`);
        next(metadata);
      })
      .build();
    return new ServerInterceptingCall(call, new ResponderBuilder().withStart((next) => next(listener)).build());
  };
}

/** The token of an `authorization` header `Bearer TOKEN` (scheme case-insensitive, RFC 6750), if there is one. */
function bearerToken(values: readonly (string | Buffer)[]): string | undefined {
  if (values.length !== 1 || typeof values[0] !== "string") return undefined;
  const match = /^Bearer +(\S+)\s*$/i.exec(values[0]);
  return match?.[1];
}
