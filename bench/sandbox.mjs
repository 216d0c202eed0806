// Sandbox delivery throughput and latency to a local receiver, next to bare `fetch` POSTs of a pre-signed
// body to the same receiver (the floor: what any sender pays for HTTP alone). Run on its own with
// `npm run bench:sandbox` (builds first), or import `measureSandbox` from another bench script.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { Sandbox } from "../dist/src/mock/sandbox.js";
import { signWebhook, verifyWebhook } from "../dist/src/webhooks/index.js";
import { median } from "./harness.mjs";

const SECRET = "whsec_benchSandboxSecretAAAAAAAAAAAAAAAAAAAAAAAAAA";

/** A receiver on 127.0.0.1 answering 204; with `verify`, only after verifying the delivery. */
async function startReceiver(verify) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      if (verify) {
        verifyWebhook(
          Buffer.concat(chunks),
          req.headers["x-h-webhook-signature"],
          req.headers["x-h-webhook-timestamp"],
          SECRET,
        );
      }
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, close: () => server.close() };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

// Bare fetch: one pre-signed session event, the same headers the sandbox sends.
function bareSender(url) {
  const body = JSON.stringify({
    type: "session.status_updated",
    id: "evt_01J2Z3K4M5N6P7Q8R9S0T1V2W3",
    created_at: new Date().toISOString(),
    data: {
      session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
      status: "running",
      previous_status: "pending",
    },
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers = {
    "Content-Type": "application/json",
    "X-H-Webhook-Timestamp": timestamp,
    "X-H-Webhook-Signature": signWebhook(body, timestamp, SECRET),
  };
  return async () => {
    const response = await fetch(url, { method: "POST", headers, body });
    await response.arrayBuffer();
  };
}

/** Deliveries per second with `concurrency` in flight, over `total` deliveries. */
async function throughput(sendBatch, total, concurrency) {
  const started = performance.now();
  for (let sent = 0; sent < total; sent += concurrency) await sendBatch(Math.min(concurrency, total - sent));
  return total / ((performance.now() - started) / 1000);
}

export async function measureSandbox({ quick = false } = {}) {
  const total = quick ? 500 : 2000;
  const sequential = quick ? 200 : 500;
  const rounds = quick ? 3 : 5;
  const concurrency = 20;
  const out = { concurrency, total, rounds, receivers: {} };

  for (const verify of [false, true]) {
    const receiver = await startReceiver(verify);
    const sandbox = new Sandbox({ receiver: receiver.url, secret: SECRET, retryDelays: [] });
    const bare = bareSender(receiver.url);
    const sandboxBatch = async (n) => {
      for (let i = 0; i < n; i += 1) sandbox.enqueue();
      await sandbox.settled();
    };
    const bareBatch = (n) => Promise.all(Array.from({ length: n }, bare));
    await throughput(sandboxBatch, 200, concurrency); // warm-up: connections, JIT
    await throughput(bareBatch, 200, concurrency);
    const samples = { sandbox: [], bare: [] };
    for (let round = 0; round < rounds; round += 1) {
      samples.sandbox.push(await throughput(sandboxBatch, total, concurrency));
      samples.bare.push(await throughput(bareBatch, total, concurrency));
    }

    // Latency: one delivery at a time, as the sandbox measures it (request sent to status received).
    sandbox.clearDeliveries();
    for (let i = 0; i < sequential; i += 1) await sandboxBatch(1);
    const sandboxLatency = sandbox.deliveries().map((attempt) => attempt.latency_ms);
    const bareLatency = [];
    for (let i = 0; i < sequential; i += 1) {
      const started = performance.now();
      await bare();
      bareLatency.push(performance.now() - started);
    }
    const lost = sandbox.eventRecords().filter((event) => event.state !== "delivered").length;
    await sandbox.close();
    receiver.close();

    out.receivers[verify ? "verifying receiver" : "bare 204 receiver"] = {
      sandboxPerSecond: median(samples.sandbox),
      barePerSecond: median(samples.bare),
      sandboxP50Ms: percentile(sandboxLatency, 50),
      sandboxP99Ms: percentile(sandboxLatency, 99),
      bareP50Ms: percentile(bareLatency, 50),
      bareP99Ms: percentile(bareLatency, 99),
      notDelivered: lost,
    };
  }
  return out;
}

// Run directly: print a table.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await measureSandbox({ quick: process.argv.includes("--quick") });
  const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });
  console.log(
    `\n### Sandbox deliveries to a local receiver (${result.concurrency} in flight, ${result.total} per round, median of ${result.rounds})\n`,
  );
  console.log(
    "| receiver | sandbox/s | bare fetch/s | ratio | sandbox p50 / p99 ms | bare p50 / p99 ms | not delivered |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, r] of Object.entries(result.receivers)) {
    console.log(
      `| ${name} | ${fmt(r.sandboxPerSecond)} | ${fmt(r.barePerSecond)} | ${(r.sandboxPerSecond / r.barePerSecond).toFixed(2)}x | ` +
        `${fmt(r.sandboxP50Ms, 2)} / ${fmt(r.sandboxP99Ms, 2)} | ${fmt(r.bareP50Ms, 2)} / ${fmt(r.bareP99Ms, 2)} | ${r.notDelivered} |`,
    );
  }
}
