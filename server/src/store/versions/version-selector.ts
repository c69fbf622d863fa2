/**
 * One committed version of a dataset, as a read names it: a generation number, the generation current at an instant
 * (`asOfMs`, ms since the epoch), or the generation a named snapshot recorded. Undefined: the current one.
 */
export type VersionSelector =
  | { readonly generation: number }
  | { readonly asOfMs: number }
  | { readonly snapshot: string };

/** The selector in words, for messages. */
export function describeSelector(selector: VersionSelector): string {
  if ("generation" in selector) return `generation ${selector.generation}`;
  if ("asOfMs" in selector) return `the version as of ${new Date(selector.asOfMs).toISOString()}`;
  return `snapshot "${selector.snapshot}"`;
}
