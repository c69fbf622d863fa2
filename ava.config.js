// Tests are written in TypeScript and compiled by `npm run build` (the `pretest` script) before ava runs.
export default {
  files: ["test/**/*.test.ts"],
  typescript: {
    rewritePaths: { "test/": "build/test/" },
    compile: false,
  },
  timeout: "120s",
  workerThreads: false,
};
