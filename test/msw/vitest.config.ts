// The MSW project: `npx vitest run --config test/msw/vitest.config.ts`, or as one entry of the root
// config's `projects`. The browser and consumer tests build and pack, hence the longer timeouts.
import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "msw",
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["test/msw/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
