import { OupsClient, isOupsClientError } from "../../../client/src/index.js";
import type { OupsClientOptions, OupsTlsOptions } from "../../../client/src/index.js";
import { DEFAULT_LISTEN } from "../config.js";
import { readConfigFile } from "../rpc/access/read-config-file.js";
import { UsageError } from "./usage-error.js";

/** Help lines of the connection flags, shared by the commands that talk to a daemon. */
export const connectionFlagsHelp = `Connection flags:
  --address HOST:PORT   daemon to talk to (env OUPS_ADDRESS, default ${DEFAULT_LISTEN})
  --tls-ca FILE         connect over TLS, trusting the daemon's certificate if this PEM CA signed it
                        (env OUPS_TLS_CA)
  --tls-cert FILE       client certificate (PEM) for a daemon that requires one (env OUPS_TLS_CERT);
                        needs --tls-key; implies TLS
  --tls-key FILE        private key (PEM) of --tls-cert (env OUPS_TLS_KEY)
  --tls                 connect over TLS trusting the system's CAs (implied by the --tls-* flags)
  --token-file FILE     send the bearer token held in FILE (env OUPS_TOKEN_FILE; or the token itself in
                        env OUPS_TOKEN)`;

/** The parseArgs options of the connection flags, to spread into a command's own. */
export const connectionFlags = {
  address: { type: "string" },
  "tls-ca": { type: "string" },
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  tls: { type: "boolean" },
  "token-file": { type: "string" },
} as const;

/** The connection flags as parseArgs gives them. */
export interface ConnectionFlagValues {
  address?: string | undefined;
  "tls-ca"?: string | undefined;
  "tls-cert"?: string | undefined;
  "tls-key"?: string | undefined;
  tls?: boolean | undefined;
  "token-file"?: string | undefined;
}

/** Where and how to reach the daemon. */
export interface Connection {
  address: string;
  options: OupsClientOptions;
}

/** The daemon address: the flag, else OUPS_ADDRESS, else the daemon's default listen address. */
export function resolveAddress(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.OUPS_ADDRESS ?? DEFAULT_LISTEN;
}

/**
 * Resolves the connection flags, each flag before its environment variable: the address, TLS (on when any TLS
 * file or `--tls` is given) and the token (`--token-file`, else OUPS_TOKEN, else OUPS_TOKEN_FILE).
 */
export async function resolveConnection(flags: ConnectionFlagValues, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const ca = set(flags["tls-ca"] ?? env.OUPS_TLS_CA);
  const cert = set(flags["tls-cert"] ?? env.OUPS_TLS_CERT);
  const key = set(flags["tls-key"] ?? env.OUPS_TLS_KEY);
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`${cert === undefined ? "--tls-key" : "--tls-cert"} given alone: a client certificate needs both --tls-cert and --tls-key`);
  }
  const options: OupsClientOptions = {};
  if (ca !== undefined || cert !== undefined || flags.tls === true) {
    const tls: OupsTlsOptions = {};
    if (ca !== undefined) tls.ca = await readConfigFile("--tls-ca", ca);
    if (cert !== undefined && key !== undefined) {
      tls.cert = await readConfigFile("--tls-cert", cert);
      tls.key = await readConfigFile("--tls-key", key);
    }
    options.tls = tls;
    quietIpServerNameWarning();
  }
  const tokenFlag = set(flags["token-file"]);
  const envToken = set(env.OUPS_TOKEN);
  const envTokenFile = set(env.OUPS_TOKEN_FILE);
  if (tokenFlag !== undefined) options.token = await readToken(tokenFlag);
  else if (envToken !== undefined) options.token = checkToken(envToken.trim(), "OUPS_TOKEN");
  else if (envTokenFile !== undefined) options.token = await readToken(envTokenFile);
  return { address: resolveAddress(flags.address, env), options };
}

/** The token of a token file: the file's text without surrounding white space, nothing else. */
async function readToken(file: string): Promise<string> {
  return checkToken((await readConfigFile("the token file", file)).toString("utf8").trim(), `the token file ${file}`);
}

function checkToken(token: string, source: string): string {
  // Nothing of the token is quoted: the message may end up in a log.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error(`${source} must hold one token alone (printable ASCII, no spaces)`);
  return token;
}

/**
 * grpc-js sends an IP address of the daemon as the TLS server name, for which Node warns (DEP0123) on stderr; the
 * certificate is still checked against that address, so the warning says nothing a CLI user can act on.
 */
function quietIpServerNameWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const [typeOrOptions, code] = rest;
    const warned = typeof typeOrOptions === "object" && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
    if (warned === "DEP0123") return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

function set(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * Runs `body` with a client of the daemon, closing it afterwards. A daemon that cannot be reached is reported as
 * such, rather than by the transport's wording.
 */
export async function withClient<T>(connection: Connection, body: (client: OupsClient) => Promise<T>): Promise<T> {
  const client = new OupsClient(connection.address, connection.options);
  try {
    return await body(client);
  } catch (err) {
    if (isOupsClientError(err, "UNAVAILABLE")) {
      // grpc-js ends this message with an empty "Resolution note:" when DNS played no part.
      const reason = err.message.replace(/\s*Resolution note:\s*$/, "");
      throw new Error(`cannot reach the oups daemon at ${connection.address}: ${reason}`, { cause: err });
    }
    throw err;
  } finally {
    client.close();
  }
}
