import { isIP } from "node:net";

/** True when `host` (a listen host, IPv6 without brackets) is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === "localhost") return true;
  if (isIP(lower) === 4) return lower.startsWith("127.");
  if (isIP(lower) === 6) return lower === "::1" || /^::ffff:127\./.test(lower) || /^(0+:){7}0*1$/.test(lower);
  return false;
}
