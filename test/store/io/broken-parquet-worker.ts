// A parquet worker for tests that fails while it loads, as one would whose wasm module cannot be loaded.
throw new Error("this worker cannot start");
