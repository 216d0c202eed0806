// Verification across runtimes: verifyWebhookAsync from the one import `hai-webhook-rotate/webhooks`, as the
// packed package resolves it in Node 20 (this process), 22 and 24, Deno and Bun (node:crypto), next to
// standardwebhooks on the same runtime; and in workerd (Web Crypto), timed from outside, next to a bare
// crypto.subtle HMAC. Runtimes come from the test:runtimes cache (fetched on first use).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { ensureRuntimes, packedConsumer } from "../scripts/runtimes.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));

function results(command, args, cwd, env) {
  const run = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  const line = run.stdout.split("\n").find((text) => text.startsWith("RESULTS "));
  if (run.status !== 0 || line === undefined)
    return { error: `${run.stdout}${run.stderr}`.trim().split("\n").at(-1) };
  return JSON.parse(line.slice("RESULTS ".length));
}

const version = (command) =>
  execFileSync(command, ["--version"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
    .split("\n")[0]
    .trim();

/** `{ nodeCrypto: { runtime: results }, workerd: results }`, operations per second. */
export async function measureRuntimes({ quick = false } = {}) {
  const runtimes = ensureRuntimes();
  const { root, consumer } = packedConsumer(["standardwebhooks@1.1.1"]);
  try {
    cpSync(join(HERE, "runtime-verify.mjs"), join(consumer, "runtime-verify.mjs"));
    cpSync(join(HERE, "workerd-verify.mjs"), join(consumer, "workerd-verify.mjs"));
    const env = quick ? { BENCH_ROUNDS: "3", BENCH_SLICE_MS: "120" } : {};
    const nodeCrypto = {
      [`Node ${process.version}`]: results(process.execPath, ["runtime-verify.mjs"], consumer, env),
      [`Node ${version(runtimes.node22)}`]: results(runtimes.node22, ["runtime-verify.mjs"], consumer, env),
      [`Node ${version(runtimes.node24)}`]: results(runtimes.node24, ["runtime-verify.mjs"], consumer, env),
      [version(runtimes.deno).replace("deno", "Deno")]: results(
        runtimes.deno,
        ["run", "-A", "runtime-verify.mjs"],
        consumer,
        env,
      ),
      [`Bun ${version(runtimes.bun)}`]: results(runtimes.bun, ["runtime-verify.mjs"], consumer, env),
    };
    const bundle = join(root, "workerd-verify.bundle.mjs");
    await build({
      entryPoints: [join(consumer, "workerd-verify.mjs")],
      outfile: bundle,
      bundle: true,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
      logLevel: "warning",
    });
    const workerd = results(
      runtimes.node24,
      [join(HERE, "workerd-driver.mjs"), runtimes.miniflare, bundle, quick ? "3" : "5"],
      consumer,
    );
    return { nodeCrypto, workerd };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// `node bench/runtimes.mjs [--quick]` (after `npm run build`): this table alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await measureRuntimes({ quick: process.argv.includes("--quick") }), null, 2));
}
