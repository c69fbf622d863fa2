import type { ChannelCredentials, ChannelOptions } from "@grpc/grpc-js";
import { credentials } from "@grpc/grpc-js";

/** TLS settings of a connection to the daemon; PEM text or bytes. */
export interface OupsTlsOptions {
  /** CA certificate(s) the daemon's certificate must chain to; the system's CAs when omitted. */
  ca?: string | Buffer | undefined;
  /** Client certificate (chain), for a daemon that requires one (mTLS); needs `key`. */
  cert?: string | Buffer | undefined;
  /** Private key of `cert`. */
  key?: string | Buffer | undefined;
  /** Name to check the daemon's certificate against, when it differs from the address's host. */
  serverName?: string | undefined;
}

/** The channel credentials and extra channel options of `tls` (plaintext when undefined). */
export function tlsChannel(tls: OupsTlsOptions | undefined): { channelCredentials: ChannelCredentials; channelOptions: ChannelOptions } {
  if (tls === undefined) return { channelCredentials: credentials.createInsecure(), channelOptions: {} };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError("tls.cert and tls.key go together: a client certificate needs its private key");
  }
  const channelCredentials = credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
  const channelOptions: ChannelOptions =
    tls.serverName === undefined ? {} : { "grpc.ssl_target_name_override": tls.serverName, "grpc.default_authority": tls.serverName };
  return { channelCredentials, channelOptions };
}

function pem(value: string | Buffer | undefined): Buffer | null {
  if (value === undefined) return null;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}
