// Runs inside Node, Deno or Bun (started by bench/runtimes.mjs in a project that installed the packed package):
// verifyWebhookAsync from the one import against standardwebhooks on the same runtime, at 1 KiB and 1 MiB, in
// interleaved rounds (median). Prints one line, `RESULTS <json>`, of operations per second.
import { createHmac, randomBytes } from "node:crypto";
import { verifyWebhookAsync } from "hai-webhook-rotate/webhooks";
import { Webhook } from "standardwebhooks";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const sliceMs = Number(process.env.BENCH_SLICE_MS ?? 250);

function eventBody(bytes) {
  const event = {
    type: "session.completed",
    id: "evt_bench",
    created_at: "2026-07-02T09:00:00Z",
    data: { notes: "" },
  };
  event.data.notes = "x".repeat(Math.max(0, bytes - JSON.stringify(event).length));
  return JSON.stringify(event);
}

function candidates(bytes) {
  const body = eventBody(bytes);
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
  const standard = new Webhook(randomBytes(24).toString("base64"));
  const headers = { "webhook-id": "msg_bench", "webhook-timestamp": timestamp };
  headers["webhook-signature"] = standard.sign("msg_bench", new Date(Number(timestamp) * 1000), body);
  return {
    ours: () => verifyWebhookAsync(body, signature, timestamp, secret),
    standardwebhooks: () => standard.verify(body, headers),
  };
}

async function slice(fn, ms) {
  const start = performance.now();
  let ops = 0;
  let batch = 1;
  while (performance.now() - start < ms) {
    for (let i = 0; i < batch; i += 1) {
      const result = fn();
      if (result instanceof Promise) await result;
    }
    ops += batch;
    if (batch < 1024) batch *= 2;
  }
  return ops / ((performance.now() - start) / 1000);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
for (const [label, bytes] of [
  ["1 KiB", 1024],
  ["1 MiB", 1024 * 1024],
]) {
  const fns = candidates(bytes);
  const samples = { ours: [], standardwebhooks: [] };
  for (const name of Object.keys(fns)) await slice(fns[name], 50);
  for (let round = 0; round < rounds; round += 1)
    for (const name of Object.keys(fns)) samples[name].push(await slice(fns[name], sliceMs));
  results[label] = { ours: median(samples.ours), standardwebhooks: median(samples.standardwebhooks) };
}
console.log(`RESULTS ${JSON.stringify(results)}`);
