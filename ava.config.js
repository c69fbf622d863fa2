// Tests are written in TypeScript and compiled by `npm run build` (the `pretest` script) before ava runs.
export default {
  files: ["test/**/*.test.ts"],
  typescript: {
    rewritePaths: { "test/": "build/test/" },
    compile: false,
  },
  timeout: "120s",
  workerThreads: false,
  // Daemons started in-process log one line per call at info: tests keep warnings and errors only.
  environmentVariables: { OUPS_LOG_LEVEL: "warn" },
};
