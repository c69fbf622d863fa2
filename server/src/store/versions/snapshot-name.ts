import { OupsError } from "../errors.js";

// Snapshot names are file names under .snapshots/: no separator, no leading dot (reserved for temporary files).
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Checks a snapshot name: 1 to 128 letters, digits, `-`, `_` or `.`, not starting with `.`.
 * @throws OupsError `INVALID_ARGUMENT` saying what is wrong with it.
 */
export function validateSnapshotName(name: string): string {
  if (name === "") throw new OupsError("INVALID_ARGUMENT", "a snapshot needs a name");
  if (name.length > 128) throw new OupsError("INVALID_ARGUMENT", `snapshot name ${JSON.stringify(name.slice(0, 40))}… is longer than 128 characters`);
  if (name.startsWith(".")) throw new OupsError("INVALID_ARGUMENT", `snapshot name ${JSON.stringify(name)} starts with "."`);
  if (!NAME.test(name)) {
    throw new OupsError("INVALID_ARGUMENT", `snapshot name ${JSON.stringify(name)} may hold only letters, digits, "-", "_" and "."`);
  }
  return name;
}
