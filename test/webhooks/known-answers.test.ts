// Vectors computed with Python's hmac (see vectors/README.md): what they cover, and our signer against them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../src/webhooks/index.js";
import type { Vector } from "./support/verify-suite.js";

const { vectors } = JSON.parse(
  readFileSync(new URL("./vectors/known-answers.json", import.meta.url), "utf8"),
) as { vectors: Vector[] };
const bytesOf = (v: Vector): Buffer =>
  v.body_base64 === undefined ? Buffer.from(v.body ?? "", "utf8") : Buffer.from(v.body_base64, "base64");

describe("known-answer vectors", () => {
  it("include the spec's example and every case the issue asks for", () => {
    expect(vectors.map((v) => v.signature)).toContain(
      "sha256=733441107dcf5734599167a2cfd20c3cdf858828f8c2dc206071fca6a98638f4",
    );
    const names = vectors.map((v) => v.name).join("\n");
    for (const needed of [
      "unicode body",
      "empty body",
      "exactly 300 s old",
      "exactly 300 s ahead",
      "301 s old",
      "301 s ahead",
    ])
      expect(names).toContain(needed);
    expect(vectors.filter((v) => v.expect.ok).length).toBeGreaterThanOrEqual(5);
    expect(vectors.filter((v) => !v.expect.ok).length).toBeGreaterThanOrEqual(5);
  });

  // Both verifiers run every vector in the shared suite (support/verify-suite.ts), in Node and in Chromium.

  it("our signer reproduces every vector whose signature is valid for its secret", () => {
    const valid = vectors.filter(
      (v) => v.expect.ok || v.expect.reason === "invalid_payload" || v.signed_with !== undefined,
    );
    expect(valid.length).toBeGreaterThanOrEqual(10);
    for (const v of valid) {
      const secret = v.signed_with ?? v.secrets[v.expect.ok ? v.expect.secretIndex : 0]!;
      expect(signWebhook(bytesOf(v), v.timestamp, secret), v.name).toBe(v.signature);
    }
  });
});
