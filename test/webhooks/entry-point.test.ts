// The one import `hai-webhook-rotate/webhooks`: its export conditions (node:crypto where it exists, Web Crypto
// everywhere else, `./webhooks/web` always Web Crypto), the same names from both implementations, nothing of the
// HTTP client, no `node:*` in the portable one, and an error guard that works across two copies of the package.
// test:runtimes resolves it for real, from the packed package, in each runtime.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it, vi } from "vitest";
import * as webhooks from "../../src/webhooks/index.js";
import * as web from "../../src/webhooks/web.js";
import { ROOT } from "../support/spec.js";

describe("the webhooks entry point", () => {
  it("bundles from node:crypto, node:buffer and its own folder only, without the client or openapi-fetch", async () => {
    const result = await build({
      entryPoints: [join(ROOT, "src/webhooks/index.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(5);
    expect(
      inputs.filter(
        (path) => !path.startsWith("src/webhooks/") && !["src/uuid.ts", "src/bounded-body.ts"].includes(path),
      ),
    ).toEqual([]);
    const external = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.imports.map(
      (entry) => entry.path,
    );
    expect([...new Set(external)].sort()).toEqual(["node:buffer", "node:crypto"]);
  });

  for (const platform of ["browser", "neutral"] as const) {
    it(`webhooks/web bundles for platform=${platform} (a Worker is neutral) with no node:* import and no Node global`, async () => {
      const result = await build({
        entryPoints: [join(ROOT, "src/webhooks/web.ts")],
        bundle: true,
        platform,
        format: "esm",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(
        inputs.filter(
          (path) =>
            !path.startsWith("src/webhooks/") && !["src/uuid.ts", "src/bounded-body.ts"].includes(path),
        ),
      ).toEqual([]);
      expect(inputs).not.toContain("src/webhooks/node.ts");
      const output = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!;
      expect(output.imports).toEqual([]);
      const code = result.outputFiles[0]!.text;
      expect(code).toContain("crypto.subtle");
      expect(code).not.toMatch(/\bnode:|\bBuffer\.|\bprocess\.|\brequire\(/);
    });
  }

  it("fails that check when Node creeps into the portable graph", async () => {
    const result = await build({
      stdin: { contents: 'export * from "./src/webhooks/index.ts";', resolveDir: ROOT, loader: "ts" },
      bundle: true,
      platform: "neutral",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
      external: ["node:*"],
    });
    const output = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!;
    expect(output.imports.map((entry) => entry.path)).toContain("node:crypto");
  });

  it("resolves to node:crypto under node, deno and bun, and to Web Crypto under every other condition", () => {
    const { exports } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, Record<string, unknown>>;
    };
    const node = { types: "./dist/src/webhooks/index.d.ts", default: "./dist/src/webhooks/index.js" };
    const portable = { types: "./dist/src/webhooks/web.d.ts", default: "./dist/src/webhooks/web.js" };
    // Order matters: the first condition a resolver knows wins, so the Worker ones come before node (a Worker
    // bundler with Node compatibility may know both).
    expect(exports["./webhooks"]).toEqual({
      workerd: portable,
      worker: portable,
      "edge-light": portable,
      browser: portable,
      node,
      deno: node,
      bun: node,
      default: portable,
    });
    expect(Object.keys(exports["./webhooks"] ?? {})).toEqual([
      "workerd",
      "worker",
      "edge-light",
      "browser",
      "node",
      "deno",
      "bun",
      "default",
    ]);
    expect(exports["./webhooks/web"]).toEqual(portable);
  });

  it("exports the same names from both implementations, plus the synchronous ones where node:crypto is", () => {
    const shared = [
      "DEFAULT_TOLERANCE_SECONDS",
      "SIGNATURE_HEADER",
      "SIGNATURE_PREFIX",
      "TIMESTAMP_HEADER",
      "WEBHOOK_VERIFICATION_ERROR_REASONS",
      "WebhookVerificationError",
      "createNodeWebhookHandler",
      "createSeenEventStore",
      "createWebhookHandler",
      "isWebhookVerificationError",
      "readWebhookHeaders",
      "verifyWebhookAsync",
    ];
    expect(Object.keys(web).sort()).toEqual(shared);
    expect(Object.keys(webhooks).sort()).toEqual(
      [...shared, "buildSignedDelivery", "signWebhook", "verifyWebhook"].sort(),
    );
    // Everything but the implementations is the very same object.
    const webValues = new Map(Object.entries(web));
    const nodeValues = new Map(Object.entries(webhooks));
    for (const name of shared.filter((name) => !/Handler$|Async$/.test(name)))
      expect(webValues.get(name), name).toBe(nodeValues.get(name));
  });

  it("recognises an error thrown by another copy of the package, where instanceof cannot", async () => {
    vi.resetModules(); // the next import evaluates the module afresh: a second copy of the class
    const copy = await import("../../src/webhooks/errors.js");
    const foreign = new copy.WebhookVerificationError("signature_mismatch", "from the other copy");
    expect(copy.WebhookVerificationError).not.toBe(webhooks.WebhookVerificationError);
    expect(foreign instanceof webhooks.WebhookVerificationError).toBe(false);
    expect(webhooks.isWebhookVerificationError(foreign)).toBe(true);
    expect(webhooks.isWebhookVerificationError(new Error("signature_mismatch"))).toBe(false);
    expect(
      webhooks.isWebhookVerificationError({ reason: "signature_mismatch", name: "WebhookVerificationError" }),
    ).toBe(false);
  });
});
