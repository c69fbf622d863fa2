import { OupsClient, isOupsClientError } from "../../../client/src/index.js";
import { DEFAULT_LISTEN } from "../config.js";

/** Help line of the address flag, shared by the commands that talk to a daemon. */
export const addressFlagHelp = `  --address HOST:PORT   daemon to talk to (env OUPS_ADDRESS, default ${DEFAULT_LISTEN})`;

/** The daemon address: the flag, else OUPS_ADDRESS, else the daemon's default listen address. */
export function resolveAddress(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.OUPS_ADDRESS ?? DEFAULT_LISTEN;
}

/**
 * Runs `body` with a client of the daemon at `address`, closing it afterwards. A daemon that cannot be reached is
 * reported as such, rather than by the transport's wording.
 */
export async function withClient<T>(address: string, body: (client: OupsClient) => Promise<T>): Promise<T> {
  const client = new OupsClient(address);
  try {
    return await body(client);
  } catch (err) {
    if (isOupsClientError(err, "UNAVAILABLE")) {
      // grpc-js ends this message with an empty "Resolution note:" when DNS played no part.
      const reason = err.message.replace(/\s*Resolution note:\s*$/, "");
      throw new Error(`cannot reach the oups daemon at ${address}: ${reason}`, { cause: err });
    }
    throw err;
  } finally {
    client.close();
  }
}
