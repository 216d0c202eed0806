// `npm run bench`: every figure next to its baseline, measured in this one run, printed as medians and
// ratios, and written to bench/results/<date>.json (git-ignored: a run must leave the tree as it found it).
// Not part of `npm test`; nothing here is asserted.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { measureClientOverhead } from "./client.mjs";
import { measureMock } from "./mock.mjs";
import { measurePipeline } from "./pipeline.mjs";
import { measureRuntimes } from "./runtimes.mjs";
import { measureSandbox } from "./sandbox.mjs";
import { measureSizes } from "./size.mjs";
import { measureVerify, measureVerifySizes } from "./verify.mjs";

const quick = process.argv.includes("--quick");
const skipPipeline = process.argv.includes("--no-pipeline");

const fmt = (n, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
// autocannon records latency in whole milliseconds; 0 means under one.
const latency = (ms) => (ms === 0 ? "<1" : fmt(ms));
const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}x` : "n/a");

function table(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(" | ")} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

/** Rows of a throughput comparison: each candidate's ops/s and its ratio to the named baselines. */
function throughputRows(results, baselines) {
  return Object.entries(results).map(([name, opsPerSecond]) => [
    name,
    fmt(opsPerSecond),
    ...baselines.map((baseline) => ratio(opsPerSecond, results[baseline])),
  ]);
}

/** The commit measured, so a figure quoted elsewhere can say which code it describes. */
function measuredCommit() {
  const git = (...args) =>
    execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain") ? " (with uncommitted changes)" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

const summary = {
  date: new Date().toISOString(),
  commit: measuredCommit(),
  machine: {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  },
};
console.log(
  `Benchmarks of ${summary.commit} on ${summary.machine.cpu} (${summary.machine.cores} cores), Node ${process.version}${quick ? " [quick]" : ""}`,
);

const verify = await measureVerify({ quick });
summary.verify = verify;
for (const [title, { results, baselines, pairs }] of Object.entries(verify)) {
  if (pairs) {
    const rows = Object.entries(results).map(([name, ops]) => [
      name,
      fmt(ops),
      pairs[name] ? `${pairs[name].toFixed(2)}x` : "",
    ]);
    table(
      `Verify: ${title} (verifications per second)`,
      ["candidate", "ops/s", "vs floor at same point"],
      rows,
    );
  } else {
    table(
      `Verify: ${title} (verifications per second)`,
      ["candidate", "ops/s", ...baselines.map((b) => `vs ${b}`)],
      throughputRows(results, baselines),
    );
  }
}

const runtimes = await measureRuntimes({ quick });
summary.runtimes = runtimes;
const perSecond = (value) => (value === undefined ? "n/a" : fmt(value));
table(
  "Verify across runtimes: verifyWebhookAsync from the one import (node:crypto there) vs standardwebhooks (verifications per second)",
  [
    "runtime",
    "1 KiB ours",
    "1 KiB standardwebhooks",
    "ratio",
    "1 MiB ours",
    "1 MiB standardwebhooks",
    "ratio",
  ],
  Object.entries(runtimes.nodeCrypto).map(([runtime, r]) =>
    r.error
      ? [runtime, "error", r.error, "", "", "", ""]
      : [
          runtime,
          perSecond(r["1 KiB"].ours),
          perSecond(r["1 KiB"].standardwebhooks),
          ratio(r["1 KiB"].ours, r["1 KiB"].standardwebhooks),
          perSecond(r["1 MiB"].ours),
          perSecond(r["1 MiB"].standardwebhooks),
          ratio(r["1 MiB"].ours, r["1 MiB"].standardwebhooks),
        ],
  ),
);
const workerd = runtimes.workerd;
table(
  "Verify in workerd (Web Crypto, timed from outside): verifyWebhookAsync vs a bare crypto.subtle HMAC + compare + JSON.parse",
  ["body", "ours/s", "floor/s", "ours vs floor"],
  workerd.error
    ? [["error", workerd.error, "", ""]]
    : Object.entries(workerd).map(([body, r]) => [body, fmt(r.ours), fmt(r.floor), ratio(r.ours, r.floor)]),
);

const sizes = { ...(await measureSizes()), ...(await measureVerifySizes()) };
summary.sizes = sizes;
const openapiFetch = sizes["baseline: openapi-fetch alone"];
table(
  "Bundle size (esbuild, ESM, minified, tree-shaken)",
  ["entry", "minified B", "gzip B", "gzip vs openapi-fetch"],
  Object.entries(sizes).map(([name, size]) =>
    size.error
      ? [name, "error", size.error, ""]
      : [name, fmt(size.minified), fmt(size.gzip), ratio(size.gzip, openapiFetch?.gzip)],
  ),
);

const client = await measureClientOverhead({ quick });
summary.client = client;
table(
  "Client overhead: one rotate call to a local server (calls per second)",
  ["candidate", "calls/s", "vs bare fetch"],
  throughputRows(client, ["bare fetch + JSON.parse"]).map((row) => row.slice(0, 3)),
);

const mock = await measureMock({ quick });
summary.mock = mock;
table(
  "Mock server: spawn to first 200",
  ["server", "median ms", "runs"],
  mock.startup.map((s) => [s.name, fmt(s.medianMs), s.runs]),
);
table(
  `Mock server: ${mock.load.seconds} s at ${mock.load.connections} connections`,
  ["server", "req/s", "p50 ms", "p99 ms", "errors", "req/s vs bare http"],
  mock.load.results.map((r) => [
    r.name,
    fmt(r.requestsPerSecond),
    latency(r.p50),
    latency(r.p99),
    r.errors,
    ratio(r.requestsPerSecond, mock.load.results[0].requestsPerSecond),
  ]),
);

const sandbox = await measureSandbox({ quick });
summary.sandbox = sandbox;
table(
  `Sandbox: signed deliveries to a local receiver (${sandbox.concurrency} in flight)`,
  ["receiver", "sandbox/s", "bare fetch/s", "ratio", "p50 / p99 ms", "bare p50 / p99 ms", "not delivered"],
  Object.entries(sandbox.receivers).map(([name, r]) => [
    name,
    fmt(r.sandboxPerSecond),
    fmt(r.barePerSecond),
    ratio(r.sandboxPerSecond, r.barePerSecond),
    `${fmt(r.sandboxP50Ms, 1)} / ${fmt(r.sandboxP99Ms, 1)}`,
    `${fmt(r.bareP50Ms, 1)} / ${fmt(r.bareP99Ms, 1)}`,
    r.notDelivered,
  ]),
);

if (!skipPipeline) {
  const pipeline = measurePipeline({ includeTest: !quick });
  summary.pipeline = pipeline;
  table(
    "Pipeline wall time",
    ["step", "seconds", "ok"],
    Object.entries(pipeline).map(([step, r]) => [
      `npm run ${step}`,
      fmt(r.seconds, 1),
      r.ok ? "yes" : "FAILED",
    ]),
  );
}

const resultsDir = new URL("./results/", import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const file = `${summary.date.replaceAll(":", "-")}${quick ? "-quick" : ""}.json`;
writeFileSync(new URL(file, resultsDir), `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nWrote bench/results/${file}`);
