import { OupsError } from "../../store/errors.js";
import type { TlsFiles } from "./tls-credentials.js";

/** The access settings of `oups serve`: TLS files and the token file, each from its flag or environment variable. */
export interface AccessConfig {
  tls?: TlsFiles | undefined;
  authTokenFile?: string | undefined;
}

/** The access flags of `oups serve`, as parseArgs gives them. */
export interface AccessFlags {
  "tls-cert"?: string | undefined;
  "tls-key"?: string | undefined;
  "tls-client-ca"?: string | undefined;
  "auth-token-file"?: string | undefined;
}

/**
 * Resolves `--tls-cert`/OUPS_TLS_CERT, `--tls-key`/OUPS_TLS_KEY, `--tls-client-ca`/OUPS_TLS_CLIENT_CA and
 * `--auth-token-file`/OUPS_AUTH_TOKEN_FILE. A certificate without its key (or the reverse), or a client CA without
 * TLS, is refused rather than silently served in plaintext.
 */
export function resolveAccessConfig(flags: AccessFlags, env: NodeJS.ProcessEnv): AccessConfig {
  const certFile = nonEmpty(flags["tls-cert"] ?? env.OUPS_TLS_CERT);
  const keyFile = nonEmpty(flags["tls-key"] ?? env.OUPS_TLS_KEY);
  const clientCaFile = nonEmpty(flags["tls-client-ca"] ?? env.OUPS_TLS_CLIENT_CA);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    const given = certFile === undefined ? "--tls-key (OUPS_TLS_KEY)" : "--tls-cert (OUPS_TLS_CERT)";
    throw new OupsError("INVALID_ARGUMENT", `${given} given alone: TLS needs both --tls-cert and --tls-key`);
  }
  if (clientCaFile !== undefined && certFile === undefined) {
    throw new OupsError("INVALID_ARGUMENT", "--tls-client-ca (OUPS_TLS_CLIENT_CA) needs TLS: give --tls-cert and --tls-key too");
  }
  return {
    tls: certFile === undefined || keyFile === undefined ? undefined : { certFile, keyFile, clientCaFile },
    authTokenFile: nonEmpty(flags["auth-token-file"] ?? env.OUPS_AUTH_TOKEN_FILE),
  };
}

/** An empty variable (`OUPS_TLS_CERT=`) is taken as unset, as shells and unit files often leave them. */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
