// The entry points `hai-webhook-rotate/webhooks` (Node) and `hai-webhook-rotate/webhooks/web` (any runtime):
// only re-exports, nothing of the HTTP client, no `node:*` in the portable one, and an error guard that works
// across two copies of the package.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it, vi } from "vitest";
import * as webhooks from "../../src/webhooks/index.js";
import { ROOT } from "../support/spec.js";

describe("the webhooks entry point", () => {
  it("bundles from node:crypto and its own folder only, without the client or openapi-fetch", async () => {
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
    expect(inputs.filter((path) => !path.startsWith("src/webhooks/"))).toEqual([]);
    const external = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.imports.map(
      (entry) => entry.path,
    );
    expect([...new Set(external)]).toEqual(["node:crypto"]);
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
      expect(inputs.filter((path) => !path.startsWith("src/webhooks/"))).toEqual([]);
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

  it("has an index that only re-exports", () => {
    const statements = readFileSync(join(ROOT, "src/webhooks/index.ts"), "utf8")
      .replace(/\/\/.*$/gm, "")
      .split(";")
      .map((statement) => statement.trim())
      .filter(Boolean);
    expect(
      statements.filter(
        (statement) => !/^export ((type )?\{[\s\S]*\}|\*) from "\.\/[a-z-]+\.js"$/.test(statement),
      ),
    ).toEqual([]);
  });

  it("exports the verify, header and signing helpers and the error, and nothing of the client", () => {
    expect(Object.keys(webhooks).sort()).toEqual([
      "DEFAULT_TOLERANCE_SECONDS",
      "SIGNATURE_HEADER",
      "SIGNATURE_PREFIX",
      "TIMESTAMP_HEADER",
      "WEBHOOK_VERIFICATION_ERROR_REASONS",
      "WebhookVerificationError",
      "buildSignedDelivery",
      "isWebhookVerificationError",
      "readWebhookHeaders",
      "signWebhook",
      "verifyWebhook",
      "verifyWebhookAsync",
    ]);
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
