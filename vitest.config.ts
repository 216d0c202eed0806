import { defineConfig } from "vitest/config";

// One project per kind of test, so each can be run on its own (`vitest run --project cli`). Timeouts are
// generous because several tests start processes, pack the package or run tsc on a 2-core machine; speed
// is measured in `npm run bench`, never asserted here.
export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/webhooks/**/*.test.ts", "test/sandbox/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          typecheck: {
            enabled: true,
            include: ["test/types/**/*.test-d.ts"],
            tsconfig: "./tsconfig.json",
          },
        },
      },
      {
        test: {
          name: "contract",
          include: ["test/contract/**/*.test.ts"],
          globalSetup: ["test/contract/global-setup.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The CLI and the secrets file: tests start the built CLI and the mock as processes.
        test: { name: "cli", include: ["test/cli/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        // The MSW handlers: the browser and consumer tests build and pack.
        test: { name: "msw", include: ["test/msw/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 180_000 },
      },
      {
        test: {
          name: "docs",
          include: ["test/docs/**/*.test.ts"],
          // Builds dist/docs/ once per run (kept when its sources are unchanged); the files only read it.
          globalSetup: ["test/docs/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
