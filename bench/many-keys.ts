import { copyFile, link, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { credentials, Client } from "@grpc/grpc-js";
import { OupsClient } from "../client/src/index.js";
import { DEFAULT_CHANNEL_OPTIONS } from "../client/src/oups-client.js";
import type { BenchContext } from "./bench-context.js";
import { startDaemon } from "./bench-context.js";
import { marketBatch } from "./data.js";
import { median, progress, timed } from "./measure.js";

const LIST_REPEATS = 3;
/** Keys asked for per page on the raw wire, as the SDK asks (the daemon cuts pages at 4 MiB). */
const PAGE_SIZE = 1_000_000;
/** Key directories sharing one copy of the template's files (under ext4's limit of 65,000 links per file). */
const LINKS_PER_FILE = 50_000;
/** Key directories created at once while generating the store. */
const GENERATE_CONCURRENCY = 64;

/**
 * Many keys: ListKeys over a store of `config.manyKeys` datasets made directly on disk (one real one-row dataset
 * written through the daemon, whose two files are hard-linked into every other key's directory), measured through
 * the raw wire (the daemon's answer, every page, no decoding) and through the SDK (decoded into key objects), with
 * the daemon's memory for the key index.
 */
export async function benchManyKeys(context: BenchContext): Promise<void> {
  const keys = context.config.manyKeys;
  const keysText = keys.toLocaleString("en-US");
  const storeDir = join(context.tempRoot, "many-keys-store");

  // An empty store first: its daemon's RSS is the baseline of the key index's memory, and it writes the template.
  // Both daemons run under --expose-gc: each measures its key index's heap after a full collection.
  let baselineRss: number;
  const first = await startDaemon(context, storeDir, "many-keys", { exposeGc: true });
  const firstClient = new OupsClient(first.address);
  try {
    baselineRss = await first.rssBytes();
    await firstClient.write(keyOf(0), marketBatch(context.columns, 0, 1), { orderedOn: "timestamp" });
  } finally {
    firstClient.close();
    await first.stop();
  }
  const template = join(storeDir, dirOf(0));
  const files = await readdir(template);
  const generated = await timed(async () => {
    // File systems cap a file's hard links (65,000 on ext4): every block of keys links to copies of its own.
    const sources: string[] = [template];
    for (let block = 1; block * LINKS_PER_FILE < keys; block++) {
      const dir = join(storeDir, dirOf(block * LINKS_PER_FILE));
      await mkdir(dir);
      for (const file of files) await copyFile(join(template, file), join(dir, file));
      sources.push(dir);
    }
    let next = 1;
    const worker = async () => {
      for (let i = next++; i < keys; i = next++) {
        if (i % LINKS_PER_FILE === 0) continue;
        const source = sources[Math.floor(i / LINKS_PER_FILE)]!;
        const dir = join(storeDir, dirOf(i));
        await mkdir(dir);
        for (const file of files) await link(join(source, file), join(dir, file));
      }
    };
    await Promise.all(Array.from({ length: GENERATE_CONCURRENCY }, worker));
  });
  progress(`many keys: ${keysText} datasets generated on disk in ${(generated.ms / 1000).toFixed(1)} s; starting the daemon`);

  const started = await timed(() => startDaemon(context, storeDir, "many-keys", { exposeGc: true }));
  const daemon = started.value;
  // Read before any call: the start-up lines leave the log tail once calls are logged. The key index's line follows
  // the start-up line.
  const build = await daemon.waitForLog(/key index: (\d+) keys in memory, built in (\d+) ms, heap \+([\d.]+) MiB( after GC)?/);
  const client = new OupsClient(daemon.address);
  // The SDK's channel options (its 16 MiB flow-control window among them): the figure is the daemon's answer, not window stalls.
  const raw = new Client(daemon.address, credentials.createInsecure(), { ...DEFAULT_CHANNEL_OPTIONS });
  const rawMs: number[] = [];
  const packedMs: number[] = [];
  const sdkMs: number[] = [];
  let rss: number;
  let pages = 0;
  let packedPages = 0;
  let peak: number;
  try {
    rss = await daemon.rssBytes();
    progress(`many keys: ListKeys over ${keysText} keys`);
    for (let run = 0; run < LIST_REPEATS; run++) {
      const packed = await timed(() => listRaw(raw, true));
      if (packed.value.keys !== keys) throw new Error(`ListKeys returned ${packed.value.keys} packed keys on the raw wire, expected ${keys}`);
      packedPages = packed.value.pages;
      packedMs.push(packed.ms);
      const listed = await timed(() => listRaw(raw, false));
      if (listed.value.keys !== keys) throw new Error(`ListKeys returned ${listed.value.keys} keys on the raw wire, expected ${keys}`);
      pages = listed.value.pages;
      rawMs.push(listed.ms);
      const viaSdk = await timed(() => client.listKeys());
      if (viaSdk.value.length !== keys) throw new Error(`ListKeys returned ${viaSdk.value.length} keys through the SDK, expected ${keys}`);
      sdkMs.push(viaSdk.ms);
    }
    peak = await daemon.peakRssBytes();
  } finally {
    raw.close();
    client.close();
    await daemon.stop();
  }
  const indexMb = (rss - baselineRss) / 1e6;
  context.rows.push({
    figure: `ListKeys on ${keysText} keys, raw wire: every packed page, undecoded (median of ${LIST_REPEATS})`,
    unit: "ms",
    oups: median(packedMs),
    target: "< 1000 ms",
    aim: { below: 1000 },
    daemonPeakRssBytes: peak,
  });
  context.rows.push({ figure: `ListKeys on ${keysText} keys, raw wire: every page of Key messages (unpacked), undecoded (median of ${LIST_REPEATS})`, unit: "ms", oups: median(rawMs), daemonPeakRssBytes: peak });
  context.rows.push({ figure: `ListKeys on ${keysText} keys through the SDK, decoded into key objects (median of ${LIST_REPEATS})`, unit: "ms", oups: median(sdkMs), daemonPeakRssBytes: peak });
  if (build?.[4]) {
    context.rows.push({ figure: `Daemon JS heap for the key index of ${keysText} keys (after a full GC, the daemon's own figure)`, unit: "MB", oups: (Number(build[3]) * 2 ** 20) / 1e6 });
  }
  context.rows.push({ figure: `Daemon RSS for the key index of ${keysText} keys (RSS after open − RSS on an empty store)`, unit: "MB", oups: indexMb });
  context.notes.push(
    `Many keys: ${keysText} one-row datasets (index symbol,day) made on disk by hard-linking one real dataset's manifest and row-group file ` +
      `into each key directory, in ${(generated.ms / 1000).toFixed(1)} s (not measured). The daemon started in ${(started.ms / 1000).toFixed(1)} s` +
      (build ? `, its key index built in ${build[2]} ms (${build[1]} keys, JS heap +${build[3]} MiB${build[4] ? " after a full GC" : " during the build, walk garbage included"})` : "") +
      `; RSS ${(baselineRss / 1e6).toFixed(0)} MB on an empty store, ${(rss / 1e6).toFixed(0)} MB after opening this one. ` +
      `ListKeys in ${packedPages} packed pages of at most 4 MiB (${pages} pages of Key messages); raw-wire runs packed ${packedMs.map((ms) => ms.toFixed(0)).join(", ")} ms, ` +
      `Key messages ${rawMs.map((ms) => ms.toFixed(0)).join(", ")} ms, SDK runs ${sdkMs.map((ms) => ms.toFixed(0)).join(", ")} ms.`,
  );
}

/** Lists every key through the raw wire: each page's bytes, its keys counted by their tags, without decoding. */
async function listRaw(client: Client, packed: boolean): Promise<{ keys: number; pages: number }> {
  let keys = 0;
  let pages = 0;
  let token = "";
  do {
    const response = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest(
        "/oups.v1.StoreService/ListKeys",
        (request: Buffer) => request,
        (bytes: Buffer) => bytes,
        listKeysRequest(token, packed),
        (err, value) => (err ? reject(err) : resolve(value!)),
      ),
    );
    const page = scanPage(response, packed);
    keys += page.keys;
    token = page.token;
    pages++;
  } while (token !== "");
  return { keys, pages };
}

/** ListKeysRequest{page_size, page_token, packed} in wire form. */
function listKeysRequest(token: string, packed: boolean): Buffer {
  const tokenBytes = Buffer.from(token, "utf8");
  const parts = [Buffer.from([0x10]), varint(PAGE_SIZE)];
  if (packed) parts.push(Buffer.from([0x20, 0x01]));
  if (tokenBytes.byteLength > 0) parts.push(Buffer.from([0x1a]), varint(tokenBytes.byteLength), tokenBytes);
  return Buffer.concat(parts);
}

/**
 * The number of keys of a ListKeysResponse (its `keys` fields (1), or the newlines of `packed_values` (3) divided
 * by the fields per key, `packed_fields` (4)), and its `next_page_token` (2).
 */
function scanPage(bytes: Buffer, packed: boolean): { keys: number; token: string } {
  let at = 0;
  let keys = 0;
  let token = "";
  let values = 0;
  let fields = 0;
  while (at < bytes.byteLength) {
    const tag = bytes[at++]!;
    let length = 0;
    for (let shift = 1; ; shift *= 128) {
      const b = bytes[at++]!;
      length += (b & 0x7f) * shift;
      if (b < 0x80) break;
    }
    if (tag === 0x0a) keys++;
    else if (tag === 0x12) token = bytes.toString("utf8", at, at + length);
    else if (tag === 0x1a) for (let i = at; i < at + length; i++) values += bytes[i] === 0x0a ? 1 : 0;
    else if (tag === 0x22) fields++;
    at += length;
  }
  if (packed && fields === 0) throw new Error("the daemon answered a packed ListKeys with Key messages");
  return { keys: packed ? values / fields : keys, token };
}

function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Buffer.from(out);
}

function keyOf(i: number) {
  return { symbol: `M${String(i).padStart(7, "0")}`, day: "20240102" };
}

function dirOf(i: number): string {
  const key = keyOf(i);
  return `${key.symbol}-${key.day}`;
}
