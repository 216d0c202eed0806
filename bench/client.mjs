// Cost of a call through our layers, against a bare fetch of the same request to the same local server,
// and the size of the client bundle against openapi-fetch alone. `npm run bench` includes the first;
// `npm run bench:client` runs both on their own and prints the ratios the README quotes.
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { createRotateClient, HaiAgentsClient } from "../dist/src/index.js";
import { compare } from "./harness.mjs";
import { seedResponseBody } from "./spec-example.mjs";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function measureClientOverhead({ quick = false } = {}) {
  const body = seedResponseBody();
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const url = `${origin}/api/v2/webhooks/${WEBHOOK_ID}/rotate`;
  const facade = new HaiAgentsClient({ token: "hk-bench", baseUrl: origin });
  const raw = createRotateClient({ apiKey: "hk-bench", baseUrl: origin });
  try {
    return await compare(
      {
        // The floor: what any client must do (send, read, parse), with none of our checks.
        "bare fetch + JSON.parse": async () => {
          const response = await fetch(url, {
            method: "POST",
            headers: { authorization: "Bearer hk-bench" },
          });
          return JSON.parse(await response.text());
        },
        "raw client (createRotateClient)": () =>
          raw.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id: WEBHOOK_ID } } }),
        "facade (HaiAgentsClient)": () => facade.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }),
      },
      { rounds: quick ? 3 : 7, sliceMs: quick ? 200 : 400 },
    );
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function gzipSize(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
}

/** Bytes (min+gzip, esbuild, browser) of facade + raw client, of openapi-fetch alone, and ours on top. */
async function measureClientSize() {
  const client = await gzipSize('export * from "./dist/src/index.js";');
  const openapiFetch = await gzipSize('export { default } from "openapi-fetch";');
  return { client, openapiFetch, ours: client - openapiFetch };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes("--quick");
  const calls = await measureClientOverhead({ quick });
  const floor = calls["bare fetch + JSON.parse"];
  console.log("Calls per second to a local server (median of interleaved rounds):");
  for (const [name, ops] of Object.entries(calls)) {
    console.log(`  ${name.padEnd(34)} ${ops.toFixed(0).padStart(7)}  ${(ops / floor).toFixed(2)}x`);
  }
  const size = await measureClientSize();
  console.log("Bundle, min+gzip:");
  console.log(`  facade + raw client               ${size.client} B`);
  console.log(`  openapi-fetch alone               ${size.openapiFetch} B`);
  console.log(`  ours on top of openapi-fetch      ${size.ours} B (${(size.ours / 1024).toFixed(2)} KiB)`);
}
