/**
 * Entry point of the transport-ceiling server, run as a child process by the benchmark:
 * `node transport-server.js CHUNKS_FILE SIZES_JSON_FILE`. It loads the byte chunks (CHUNKS_FILE cut at the sizes
 * listed in SIZES_JSON_FILE), serves them to every call of {@link rawBytesStream} with backpressure, and prints
 * `raw bytes server on HOST:PORT` on stdout once it listens. SIGTERM stops it.
 * @module
 */
import type { ServerWritableStream } from "@grpc/grpc-js";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { MAX_MESSAGE_BYTES } from "../server/src/config.js";
import { rawBytesService } from "./raw-bytes-service.js";

const [chunksFile, sizesFile] = process.argv.slice(2);
if (chunksFile === undefined || sizesFile === undefined) {
  process.stderr.write("usage: transport-server.js CHUNKS_FILE SIZES_JSON_FILE\n");
  process.exit(2);
}
const bytes = await readFile(chunksFile);
const sizes = JSON.parse(await readFile(sizesFile, "utf8")) as number[];
const chunks: Buffer[] = [];
let offset = 0;
for (const size of sizes) {
  chunks.push(bytes.subarray(offset, offset + size));
  offset += size;
}

async function stream(call: ServerWritableStream<Buffer, Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (call.cancelled) return;
    if (!call.write(chunk)) await once(call, "drain");
  }
  call.end();
}

// The same message limits as the daemon's server.
const server = new Server({ "grpc.max_receive_message_length": MAX_MESSAGE_BYTES, "grpc.max_send_message_length": MAX_MESSAGE_BYTES });
server.addService(rawBytesService, { stream: (call: ServerWritableStream<Buffer, Buffer>) => void stream(call) });
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
);
process.stdout.write(`raw bytes server on 127.0.0.1:${port}\n`);
process.once("SIGTERM", () => {
  server.forceShutdown();
  process.exit(0);
});
