import { defineConfig } from "vitest/config";

// The type tests (test/types/*.test-d.ts) are compile-time assertions: `npm run typecheck` (tsc -b over
// tsconfig.json) checks them against the built declarations, so vitest does not run tsc a second time.
// One project per kind of test, so each can be run on its own (`vitest run --project cli`). Timeouts are
// generous because several tests start processes, pack the package or run tsc on a 2-core machine; speed
// is measured in `npm run bench`, never asserted here.
// Files of a project share their worker's modules rather than each loading Prism, msw, Ajv and the spec
// again; the tests leave no global state behind (servers closed, env and globals unstubbed) to allow it.
const shared = { isolate: false, unstubEnvs: true, unstubGlobals: true };

export default defineConfig({
  test: {
    // Vitest's default on 2 cores is one worker, leaving a core idle while a test waits on a process it
    // started; three keep both busy.
    maxWorkers: 3,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        test: {
          ...shared,
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/webhooks/**/*.test.ts", "test/sandbox/**/*.test.ts"],
          globalSetup: ["test/support/warm-spec-cache.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          ...shared,
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          globalSetup: ["test/contract/global-setup.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The CLI and the secrets file: tests start the built CLI and the mock as processes.
        test: {
          ...shared,
          name: "cli",
          include: ["test/cli/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The MSW handlers, in Node and in a browser's service worker.
        test: {
          ...shared,
          name: "msw",
          include: ["test/msw/**/*.test.ts"],
          globalSetup: ["test/support/warm-spec-cache.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The package as consumers get it: packed and installed once (global-setup.ts), then imported,
        // type-checked and run with npx by name.
        test: {
          ...shared,
          name: "package",
          include: ["test/package/**/*.test.ts"],
          globalSetup: ["test/package/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          ...shared,
          name: "docs",
          include: ["test/docs/**/*.test.ts"],
          // Builds dist/docs/ once per run (kept when its sources are unchanged); the files only read it.
          globalSetup: ["test/docs/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Every code block of the README and the guides, run as written (test/docs-blocks/blocks.ts): each
        // Markdown file's blocks in order, in beforeAll, one file after another (they name the same ports).
        test: {
          ...shared,
          name: "docs-blocks",
          include: ["test/docs-blocks/**/*.test.ts"],
          testTimeout: 10_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
