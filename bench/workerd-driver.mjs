// Runs in Node 22+ (Miniflare's requirement): times bench/workerd-verify.mjs, bundled, from outside workerd.
// Prints `RESULTS <json>` of verifications per second.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [miniflareDir, bundle, rounds = "5"] = process.argv.slice(2);
const { Miniflare } = await import(
  pathToFileURL(join(miniflareDir, "node_modules/miniflare/dist/src/index.js")).href
);
const mf = new Miniflare({
  modules: true,
  script: readFileSync(bundle, "utf8"),
  compatibilityDate: "2026-05-03",
});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
try {
  for (const [label, bytes, n] of [
    ["1 KiB", 1024, 4000],
    ["1 MiB", 1024 * 1024, 40],
  ]) {
    const samples = { ours: [], floor: [] };
    for (let round = -1; round < Number(rounds); round += 1) {
      for (const mode of ["ours", "floor"]) {
        const start = performance.now();
        const response = await mf.dispatchFetch(`http://127.0.0.1/?mode=${mode}&n=${n}&bytes=${bytes}`);
        if ((await response.text()) !== "ok") throw new Error(`workerd bench failed (${mode})`);
        // Round -1 warms up (and prepares the body) without counting.
        if (round >= 0) samples[mode].push(n / ((performance.now() - start) / 1000));
      }
    }
    results[label] = { ours: median(samples.ours), floor: median(samples.floor) };
  }
} finally {
  await mf.dispose();
}
console.log(`RESULTS ${JSON.stringify(results)}`);
