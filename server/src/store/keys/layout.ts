/**
 * On-disk layout of a store directory.
 *
 * ```text
 * <storeDir>/
 *   oups-store.json            STORE_FILE: the store descriptor, holding the index schema as JSON
 *   .oups.lock/                LOCK_DIR: present while a daemon owns the store (proper-lockfile, mtime refreshed)
 *   .oups.lock.owner           LOCK_OWNER_FILE: pid, host and start time of the process holding LOCK_DIR
 *   <level 0>/                 one directory per key level: the level's values joined by the field separator
 *     <level 1>/               (keyToPath), e.g. `AAPL-2024/3` for `symbol,year:int/month:int`
 *       _manifest.json         MANIFEST_FILE: its presence is what makes the directory a dataset
 *       …                      the dataset's own files, described by its manifest
 *       .versions/             VERSIONS_DIR: `<generation>.json`, the manifest of each retained older generation
 *   .snapshots/                SNAPSHOTS_DIR: `<name>.json`, the generation of each dataset a snapshot holds
 * ```
 *
 * Names starting with `.` are reserved for the engine (lock, temporary files of atomic commits): key values cannot
 * contain `.`, so such a name never collides with a key, and key listing skips them without parsing.
 * A key directory without a manifest (an interrupted first write, or a stray folder) is not a dataset.
 * @module
 */

/** File whose presence inside a key directory marks a dataset. */
export const MANIFEST_FILE = "_manifest.json";

/** Store descriptor at the root of the store directory (holds the index schema). */
export const STORE_FILE = "oups-store.json";

/** Lock directory at the root of the store directory, held by the daemon that owns the store. */
export const LOCK_DIR = ".oups.lock";

/**
 * Owner record of the lock, beside LOCK_DIR (not inside: proper-lockfile removes the lock directory with rmdir, which
 * a file inside would make fail): which process holds the lock, so that a crashed owner is told apart from a live one.
 */
export const LOCK_OWNER_FILE = ".oups.lock.owner";

/** Directory of a dataset holding the manifests of its retained older generations (see versions/version-records.ts). */
export const VERSIONS_DIR = ".versions";

/** Directory at the store root holding one file per snapshot (see versions/snapshot-registry.ts). */
export const SNAPSHOTS_DIR = ".snapshots";
