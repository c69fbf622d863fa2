import { copyFile, readFile, truncate, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The damage {@link damageDataset} did, by the paths it touched relative to the store. */
export interface Damage {
  truncated: string;
  /** A listed file overwritten by a valid Parquet file of another row group. */
  replaced: string;
  missing: string;
  orphan: string;
  temp: string;
  invalidName: string;
}

/**
 * Damages a dataset of at least four row groups, as crashes, disks and operators do: truncates the first listed
 * file, copies the third over the second (a valid file of other rows), deletes the fourth, and plants an orphaned
 * row-group file (a copy of the third), a temporary manifest and a file of no engine name. `name` is the
 * dataset's directory relative to the store.
 */
export async function damageDataset(datasetDir: string, name: string): Promise<Damage> {
  const manifest = JSON.parse(await readFile(join(datasetDir, "_manifest.json"), "utf8")) as { rowGroups: { file: string; bytes: number }[] };
  const files = manifest.rowGroups.map((g) => g.file);
  if (files.length < 4) throw new Error(`damageDataset needs four row groups, ${name} has ${files.length}`);
  const [first, second, third, fourth] = files as [string, string, string, string];
  await truncate(join(datasetDir, first), Math.floor(manifest.rowGroups[0]!.bytes / 2));
  await copyFile(join(datasetDir, third), join(datasetDir, second));
  await unlink(join(datasetDir, fourth));
  const orphan = "rg-000000000999.parquet";
  await copyFile(join(datasetDir, third), join(datasetDir, orphan));
  const temp = "._manifest.json.tmp-42";
  await writeFile(join(datasetDir, temp), "{");
  const invalidName = "notes.txt";
  await writeFile(join(datasetDir, invalidName), "not the engine's\n");
  const at = (file: string) => `${name}/${file}`;
  return { truncated: at(first), replaced: at(second), missing: at(fourth), orphan: at(orphan), temp: at(temp), invalidName: at(invalidName) };
}

/** The kinds found at each path of a report, `path → kinds` (sorted), for whole-report assertions. */
export function kindsByPath(findings: readonly { path: string; kind: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of findings) (out[f.path] ??= []).push(f.kind);
  for (const kinds of Object.values(out)) kinds.sort();
  return out;
}

/** What a check must find after {@link damageDataset}, in the shape of {@link kindsByPath}. */
export function expectedFindings(damage: Damage): Record<string, string[]> {
  return {
    [damage.invalidName]: ["invalid-file-name"],
    [damage.temp]: ["temp-file"],
    [damage.truncated]: ["size-mismatch", "unreadable-file"],
    [damage.replaced]: ["bounds-mismatch"],
    [damage.missing]: ["missing-file"],
    [damage.orphan]: ["orphan-file"],
  };
}
