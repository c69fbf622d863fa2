// A parquet worker for tests: it dies (exits the thread) on a job whose path ends with "crash", and otherwise
// behaves as the real worker. Both listeners attach while the modules evaluate, before any message arrives;
// the real one only starts async work on a message, so this one exits before any reply can be sent.
import "../../../server/src/store/io/parquet-worker.js";
import { parentPort } from "node:worker_threads";

parentPort?.on("message", (request: { path: string }) => {
  if (request.path.endsWith("crash")) {
    process.exit(3);
  }
});
