// Runs in Node 22+ (Miniflare's own requirement), started by scripts/runtimes.mjs with Miniflare's folder and
// two bundles: the suite as a Worker, and examples/worker.ts. Both run in workerd itself; the example gets real
// HTTP deliveries signed here, with its secrets as Worker bindings. Prints `RESULTS <json>`.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [miniflareDir, suiteBundle, exampleBundle] = process.argv.slice(2);
const { Miniflare } = await import(
  pathToFileURL(join(miniflareDir, "node_modules/miniflare/dist/src/index.js")).href
);

// The newest date the pinned workerd accepts (a later one refuses to start).
const COMPATIBILITY_DATE = "2026-05-03";
const PREVIOUS = "whsec_workerPreviousSecretAAAAAAAAAAAAAAAAAAAA";
const CURRENT = "whsec_workerCurrentSecretBBBBBBBBBBBBBBBBBBBBB";
const results = [];

const worker = (script, bindings = {}) =>
  new Miniflare({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE, bindings });

const suite = worker(readFileSync(suiteBundle, "utf8"));
try {
  const response = await suite.dispatchFetch("http://127.0.0.1/");
  results.push(...(await response.json()).map((result) => ({ ...result, name: `suite: ${result.name}` })));
} finally {
  await suite.dispose();
}

const body = JSON.stringify({
  type: "session.completed",
  id: "evt_worker_example",
  created_at: "2026-07-02T09:00:00Z",
  data: {
    session_id: "9c5b94b1-35ad-49bb-b118-8e8fc24abf80",
    status: "completed",
    previous_status: "running",
  },
});
function signed(secret, { age = 0, tamper = false, method = "POST" } = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000) - age);
  const signature = `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
  return {
    method,
    headers: {
      "Content-Type": "application/json",
      "X-H-Webhook-Signature": signature,
      "X-H-Webhook-Timestamp": timestamp,
    },
    body: method === "GET" ? undefined : tamper ? body.replace("completed", "failed") : body,
  };
}

const source = readFileSync(exampleBundle, "utf8");
const scenarios = [
  ["the current secret -> 200", { WEBHOOK_SECRET: CURRENT }, signed(CURRENT), 200],
  [
    "the previous secret during the overlap -> 200",
    {
      WEBHOOK_SECRET: CURRENT,
      WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
      WEBHOOK_SECRET_PREVIOUS_NOT_AFTER: "2999-01-01T00:00:00Z",
    },
    signed(PREVIOUS),
    200,
  ],
  [
    "the previous secret past its NOT_AFTER -> 401",
    {
      WEBHOOK_SECRET: CURRENT,
      WEBHOOK_SECRET_PREVIOUS: PREVIOUS,
      WEBHOOK_SECRET_PREVIOUS_NOT_AFTER: "2026-01-01T00:00:00Z",
    },
    signed(PREVIOUS),
    401,
  ],
  ["a forged body -> 401", { WEBHOOK_SECRET: CURRENT }, signed(CURRENT, { tamper: true }), 401],
  ["a stale delivery -> 401", { WEBHOOK_SECRET: CURRENT }, signed(CURRENT, { age: 301 }), 401],
  ["a GET -> 405", { WEBHOOK_SECRET: CURRENT }, signed(CURRENT, { method: "GET" }), 405],
  ["no WEBHOOK_SECRET binding -> 500", {}, signed(CURRENT), 500],
];
for (const [name, bindings, init, expected] of scenarios) {
  const mf = worker(source, bindings);
  try {
    const response = await mf.dispatchFetch("http://127.0.0.1/webhooks", init);
    const text = await response.text();
    const ok = response.status === expected && !text.includes("whsec_");
    results.push({
      name: `examples/worker.ts: ${name}`,
      ok,
      detail: ok ? undefined : `${response.status} ${text}`,
    });
  } catch (error) {
    results.push({ name: `examples/worker.ts: ${name}`, ok: false, detail: String(error?.stack ?? error) });
  } finally {
    await mf.dispose();
  }
}
console.log(`RESULTS ${JSON.stringify(results)}`);
