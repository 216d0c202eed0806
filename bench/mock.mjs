// The mock server as `npm start` runs it, against a bare node:http server returning the same example body
// (the most any server could do on this machine).
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

/** Starts the mock exactly as `npm start` does after its build step, and resolves once it answers 200. */
async function startMock() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["dist/src/mock/cli.js", "--port", String(port), "--host", "127.0.0.1"],
    {
      cwd: ROOT,
      stdio: "ignore",
      env: { ...process.env, REDOCLY_TELEMETRY: "off" },
    },
  );
  await untilOk(`http://127.0.0.1:${port}${PATH}`, child);
  return { port, stop: () => stopChild(child) };
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
  const runs = quick ? 2 : 5;
  const times = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    const mock = await startMock();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    await mock.stop();
  }
  const startup = [{ name: "mock (node dist/src/mock/cli.js)", runs, medianMs: median(times) }];
  const seconds = quick ? 3 : 10;
  const connections = 10;
  const bare = await startBare();
  const mock = await startMock();
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
