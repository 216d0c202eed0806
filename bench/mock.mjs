// The mock server as `npm start` runs it: time from launch to the first 200, warm (already built), next
// to stock Prism's CLI serving the same spec; then throughput against a bare node:http server returning
// the same example body (the most any server could do on this machine).
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { median } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const PATH = `/api/v2/webhooks/${WEBHOOK_ID}/rotate`;
const HEADERS = { authorization: "Bearer hk-bench" };

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function untilOk(url, child) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mock exited with ${child.exitCode} before answering`);
    try {
      const response = await fetch(url, { method: "POST", headers: HEADERS });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", resolve);
    child.kill("SIGTERM");
  });
}

/** Launches `command` (which must take --port), resolving once it answers the example rotate with 200. */
async function startServer(command, args) {
  const port = await freePort();
  const child = spawn(command, [...args, "--port", String(port)], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, REDOCLY_TELEMETRY: "off" },
  });
  await untilOk(`http://127.0.0.1:${port}${PATH}`, child);
  return { port, stop: () => stopChild(child) };
}

// What a user runs, warm: the launcher finds its bundle current and starts at once.
const MOCK = [process.execPath, ["src/mock/start.mjs", "--host", "127.0.0.1", "--quiet"]];
const CANDIDATES = [
  ["npm start (warm)", "npm", ["start", "--silent", "--", "--host", "127.0.0.1", "--quiet"]],
  ["node src/mock/start.mjs (warm)", ...MOCK],
  [
    "stock Prism CLI (prism mock)",
    process.execPath,
    [
      "node_modules/@stoplight/prism-cli/dist/index.js",
      "mock",
      "openapi/openapi.yaml",
      "--host",
      "127.0.0.1",
    ],
  ],
];

/** Wall time from launch to the first 200 of each candidate, interleaved so load drift hits all alike. */
async function measureStartup(runs) {
  const times = CANDIDATES.map(() => []);
  for (let round = 0; round < runs; round += 1) {
    for (const [index, [, command, args]] of CANDIDATES.entries()) {
      const start = process.hrtime.bigint();
      const server = await startServer(command, args);
      times[index].push(Number(process.hrtime.bigint() - start) / 1e6);
      await server.stop();
    }
  }
  return CANDIDATES.map(([name], index) => ({ name, runs, medianMs: median(times[index]) }));
}

async function startBare() {
  const port = await freePort();
  const child = spawn(process.execPath, ["bench/bare-server.mjs", String(port)], {
    cwd: ROOT,
    stdio: "ignore",
  });
  await untilOk(`http://127.0.0.1:${port}${PATH}`, child);
  return { port, stop: () => stopChild(child) };
}

async function load(name, port, seconds, connections) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${PATH}`,
    method: "POST",
    headers: HEADERS,
    connections,
    duration: seconds,
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export async function measureMock({ quick = false } = {}) {
  // One start first, so that a stale bundle is rebuilt here rather than inside a measured run.
  await (await startServer(...MOCK)).stop();
  const startup = await measureStartup(quick ? 2 : 5);
  const seconds = quick ? 3 : 10;
  const connections = 10;
  const bare = await startBare();
  const mock = await startServer(...MOCK);
  try {
    const results = [
      await load("bare node:http (limit)", bare.port, seconds, connections),
      await load("mock (npm start)", mock.port, seconds, connections),
    ];
    return { startup, load: { seconds, connections, results } };
  } finally {
    await bare.stop();
    await mock.stop();
  }
}
