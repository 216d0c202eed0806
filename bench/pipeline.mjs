// Wall time of each step a developer or CI runs, timed as the npm scripts themselves.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

function timeScript(script) {
  const start = process.hrtime.bigint();
  const run = spawnSync("npm", ["run", "-s", script], {
    cwd: ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    stdio: "ignore",
  });
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, ok: run.status === 0 };
}

export function measurePipeline({ includeTest = true } = {}) {
  const steps = ["lint", "generate", "build", "docs"];
  if (includeTest) steps.push("test");
  return Object.fromEntries(steps.map((step) => [step, timeScript(step)]));
}
