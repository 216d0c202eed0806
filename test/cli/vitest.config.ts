// The CLI project: `npx vitest run --config test/cli/vitest.config.ts`, or as one entry of the root
// config's `projects`. Its tests start processes (the built CLI, the mock), hence the longer timeouts.
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "cli",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/cli/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
