import type { ClientReadableStream } from "@grpc/grpc-js";
import { Client, credentials } from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openIpcStream } from "#shared/arrow/ipc-stream.js";
import { OupsClient } from "../client/src/index.js";
import { DEFAULT_CHANNEL_OPTIONS } from "../client/src/oups-client.js";
import type { BenchContext } from "./bench-context.js";
import { MAIN_KEY, startDaemon } from "./bench-context.js";
import { median, now, progress } from "./measure.js";
import { peakRssBytes } from "./proc-memory.js";
import { TRANSPORT_READY, rawBytesStream } from "./raw-bytes-service.js";

const REPEATS = 3;
const serverScript = fileURLToPath(new URL("./transport-server.js", import.meta.url));

/**
 * Transport ceiling: the IPC chunks that a full scan of the main dataset sends, streamed as raw bytes through a
 * bare grpc-js server-streaming call from a child process, against the full scan through the SDK.
 */
export async function benchTransport(context: BenchContext): Promise<void> {
  const { main, fullScan } = context;
  if (main === undefined || fullScan === undefined) throw new Error("transport needs the full scan that range measures");
  const dir = join(context.tempRoot, "transport");
  await mkdir(dir, { recursive: true });
  const chunksFile = join(dir, "chunks.bin");
  const sizesFile = join(dir, "sizes.json");

  progress("transport: capturing the IPC chunks of a full scan");
  const sizes = await captureFullScan(context, main.storeDir, chunksFile);
  await writeFile(sizesFile, JSON.stringify(sizes));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);

  progress(`transport: streaming ${sizes.length} chunks (${(totalBytes / 1e6).toFixed(0)} MB) through bare grpc-js`);
  const server = spawn(process.execPath, [serverScript, chunksFile, sizesFile], { stdio: ["ignore", "pipe", "inherit"] });
  let serverPeak: number;
  const raw: number[] = [];
  const decoded: number[] = [];
  try {
    const address = await readyAddress(server.stdout!);
    // The SDK's own channel options (message limits, HTTP/2 window), so that only the layers above grpc-js differ.
    const client = new Client(address, credentials.createInsecure(), DEFAULT_CHANNEL_OPTIONS);
    try {
      const call = () =>
        client.makeServerStreamRequest(
          rawBytesStream.path,
          rawBytesStream.requestSerialize,
          rawBytesStream.responseDeserialize,
          Buffer.alloc(0),
        ) as ClientReadableStream<Buffer>;
      await receiveBytes(call());
      for (let run = 0; run < REPEATS; run++) {
        const start = now();
        const bytes = await receiveBytes(call());
        raw.push(now() - start);
        if (bytes !== totalBytes) throw new Error(`transport: received ${bytes} bytes, expected ${totalBytes}`);
        const startDecoded = now();
        const rows = await receiveBatches(call());
        decoded.push(now() - startDecoded);
        if (rows !== fullScan.rows) throw new Error(`transport: decoded ${rows} rows, expected ${fullScan.rows}`);
      }
    } finally {
      client.close();
    }
    serverPeak = await peakRssBytes(server.pid!);
  } finally {
    const exited = once(server, "exit");
    server.kill("SIGTERM");
    await exited;
  }

  const ceiling = fullScan.rows / (median(raw) / 1000);
  const ceilingDecoded = fullScan.rows / (median(decoded) / 1000);
  context.rows.push(
    {
      figure: "Full scan vs transport ceiling (same IPC bytes, bare grpc-js stream)",
      unit: "rows/s",
      oups: fullScan.rowsPerSecond,
      anchorName: "bare grpc-js",
      anchor: ceiling,
      ratio: fullScan.rowsPerSecond / ceiling,
      ratioMeaning: "oups ÷ anchor",
      target: "≥ 0.6×",
      aim: { atLeast: 0.6 },
    },
    {
      figure: "Full scan vs transport ceiling + client Arrow IPC decode",
      unit: "rows/s",
      oups: fullScan.rowsPerSecond,
      anchorName: "bare grpc-js + RecordBatchReader",
      anchor: ceilingDecoded,
      ratio: fullScan.rowsPerSecond / ceilingDecoded,
      ratioMeaning: "oups ÷ anchor",
    },
  );
  context.notes.push(
    `Transport: the ${sizes.length} RangeQuery chunks of a full scan (${(totalBytes / 1e6).toFixed(0)} MB of Arrow IPC, captured ` +
      `through the raw RPC) served from memory by a grpc-js server in a child process (identity serialisation, backpressure), ` +
      `received by a grpc-js client with the SDK's channel options; median of ${REPEATS} after one untimed run. ` +
      `"+ client Arrow IPC decode" also decodes them with the SDK's openIpcStream. Ceiling server peak RSS ${(serverPeak / 1e6).toFixed(0)} MB.`,
  );
}

/** Runs a full scan through the raw RPC, appends every chunk's bytes to `file`, and resolves to the chunk sizes. */
async function captureFullScan(context: BenchContext, storeDir: string, file: string): Promise<number[]> {
  const daemon = await startDaemon(context, storeDir, "transport");
  const client = new OupsClient(daemon.address);
  const handle = await open(file, "w");
  const sizes: number[] = [];
  try {
    for await (const response of client.rpc.rangeQuery({ key: { fields: { ...MAIN_KEY } } })) {
      sizes.push(response.arrowIpc.byteLength);
      await handle.write(response.arrowIpc);
    }
  } finally {
    await handle.close();
    client.close();
    await daemon.stop();
  }
  return sizes;
}

async function receiveBytes(call: ClientReadableStream<Buffer>): Promise<number> {
  let bytes = 0;
  for await (const chunk of call as AsyncIterable<Buffer>) bytes += chunk.byteLength;
  return bytes;
}

async function receiveBatches(call: ClientReadableStream<Buffer>): Promise<number> {
  const { batches } = await openIpcStream(call as AsyncIterable<Buffer>);
  let rows = 0;
  for await (const batch of batches) rows += batch.numRows;
  return rows;
}

async function readyAddress(stdout: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stdout) {
    text += String(chunk);
    const match = TRANSPORT_READY.exec(text);
    if (match) return match[1]!;
  }
  throw new Error(`the transport server exited before listening: ${text}`);
}
