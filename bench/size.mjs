// Bundle size of each entry point as a browser bundler would ship it: esbuild, ESM, minified, tree-shaken.

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** min+gzip bytes of `source` bundled for `platform`; the one size measure every bench uses. */
export async function bundleSize(source, platform = "browser") {
  const result = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    write: false,
    logLevel: "silent",
    // Node built-ins stay imports (the webhook peers need node:crypto, as ours does).
    external: ["node:*", "crypto", "buffer"],
  });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

export async function measureSizes() {
  const entries = {
    "client: facade + raw (hai-webhook-rotate)": ['export * from "./dist/src/index.js";', "browser"],
    "client: raw only (createRotateClient)": [
      'export { createRotateClient } from "./dist/src/index.js";',
      "browser",
    ],
    "client: facade only (HaiAgentsClient)": [
      'export { HaiAgentsClient } from "./dist/src/index.js";',
      "browser",
    ],
    "baseline: openapi-fetch alone": ['export { default } from "openapi-fetch";', "browser"],
    "webhooks: verify helpers (hai-webhook-rotate/webhooks)": [
      'export * from "./dist/src/webhooks/index.js";',
      "node",
    ],
    "webhooks: verifyWebhook only": ['export { verifyWebhook } from "./dist/src/webhooks/index.js";', "node"],
    "peer: @octokit/webhooks-methods": ['export * from "@octokit/webhooks-methods";', "node"],
    "peer: standardwebhooks": ['export * from "standardwebhooks";', "node"],
    "peer: svix (Webhook)": ['export { Webhook } from "svix";', "node"],
  };
  const sizes = {};
  for (const [name, [source, platform]] of Object.entries(entries)) {
    try {
      sizes[name] = await bundleSize(source, platform);
    } catch (error) {
      sizes[name] = { error: String(error.message ?? error).split("\n")[0] };
    }
  }
  return sizes;
}
