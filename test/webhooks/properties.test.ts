// Properties of both verifiers, checked with fast-check in Node: the shared suite (vectors, properties, hostile
// input) against verifyWebhook and verifyWebhookAsync, then the helpers only Node has.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildSignedDelivery,
  isWebhookVerificationError,
  readWebhookHeaders,
  signWebhook,
  verifyWebhook,
  verifyWebhookAsync,
  WEBHOOK_VERIFICATION_ERROR_REASONS,
} from "../../src/webhooks/index.js";
import { verifyWebhookAsync as webVerifyWebhookAsync } from "../../src/webhooks/web.js";
import { SPEC_BODY, SPEC_SECRET, SPEC_TIMESTAMP } from "./support/fixtures.js";
import { count, holds, SEED, summary } from "./support/property-runs.js";
import { HOSTILE, junkArb, runVerifySuite, type SuiteTarget } from "./support/verify-suite.js";

afterAll(() => {
  console.log(summary());
});

// Signed with node:crypto directly rather than our signWebhook, so a bug shared by signer and verifier cannot hide.
const sign = async (body: string | Uint8Array, timestamp: string, secret: string) =>
  `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
const target = (verify: SuiteTarget["verify"]): SuiteTarget => ({
  verify,
  sign,
  reasons: WEBHOOK_VERIFICATION_ERROR_REASONS,
  isVerificationError: isWebhookVerificationError,
});

describe.each([
  ["verifyWebhook (node:crypto)", verifyWebhook as SuiteTarget["verify"]],
  ["verifyWebhookAsync (node:crypto)", verifyWebhookAsync as SuiteTarget["verify"]],
  ["verifyWebhookAsync (Web Crypto)", webVerifyWebhookAsync as SuiteTarget["verify"]],
])("%s", (_name, verify) => {
  it("passes every known-answer vector, property and hostile-input check of the shared suite", async () => {
    const results = await runVerifySuite(target(verify), { seed: SEED });
    const properties = results.filter((result) => !result.name.startsWith("vector: "));
    count(
      properties.length,
      properties.reduce((sum, result) => sum + result.cases, 0),
    );
    expect(results.filter((result) => result.failure !== undefined)).toEqual([]);
    expect(properties.length).toBe(10);
    expect(results.length - properties.length).toBeGreaterThanOrEqual(30);
  }, 30_000);
});

describe("the shared suite itself", () => {
  it("catches a verifier that ignores notAfter, and one that lets an untyped error through", async () => {
    // Drops every notAfter from a plain list of secrets; hostile values go through untouched.
    const plain = (secrets: unknown) =>
      Array.isArray(secrets) && Object.getPrototypeOf(secrets) === Array.prototype && secrets.length < 8
        ? secrets.map((entry) => (typeof entry === "object" && entry !== null ? entry.secret : entry))
        : secrets;
    const ignoresExpiry: SuiteTarget["verify"] = (body, signature, timestamp, secrets, options) => {
      let list: unknown;
      try {
        list = plain(secrets);
      } catch {
        list = secrets;
      }
      return verifyWebhook(
        body as string,
        signature as string,
        timestamp as string,
        list as string,
        options as undefined,
      );
    };
    // Lets the platform's TypeError escape where a body is not text or bytes, as the verifier once did.
    const leaksTypeErrors: SuiteTarget["verify"] = (...args) => {
      try {
        return verifyWebhook(...(args as Parameters<typeof verifyWebhook>));
      } catch (error) {
        if (isWebhookVerificationError(error) && error.reason === "invalid_body")
          throw new TypeError("not a body");
        throw error;
      }
    };
    const failed = async (verify: SuiteTarget["verify"]) =>
      (await runVerifySuite(target(verify), { seed: SEED, scale: 0.5 }))
        .filter((result) => result.failure !== undefined)
        .map((result) => result.name);
    expect(await failed(ignoresExpiry)).toEqual([
      "a secret past its notAfter verifies nothing: secret_expired naming it, unless a secret in force matches",
    ]);
    expect(await failed(leaksTypeErrors)).toEqual([
      "hostile or arbitrary values in any argument position only ever produce a typed error with a known reason",
    ]);
  }, 30_000);
});

// Hostile values are made inside each check, from their names: fast-check inspects what it generates, which a
// revoked Proxy does not survive.
const anyValue = fc.oneof(
  junkArb.map((value) => () => value),
  fc.constantFrom(...Object.keys(HOSTILE)).map((name) => HOSTILE[name]!),
);

describe("the Node-only helpers under arbitrary input", () => {
  it("readWebhookHeaders throws nothing but a WebhookVerificationError", () => {
    const headerish = fc.oneof(
      anyValue,
      fc
        .dictionary(
          fc.constantFrom("x-h-webhook-signature", "X-H-Webhook-Timestamp", "x-h-webhook-timestamp", "other"),
          anyValue,
        )
        .map(
          (record) => () => Object.fromEntries(Object.entries(record).map(([key, make]) => [key, make()])),
        ),
      anyValue.map((make) => () => new Map([["x-h-webhook-signature", make()]])),
      anyValue.map((make) => () => ({ get: () => make() })),
    );
    holds(
      fc.property(headerish, (make) => {
        const headers = make();
        try {
          const read = readWebhookHeaders(headers as Headers);
          expect(typeof read.signature === "string" && typeof read.timestamp === "string").toBe(true);
        } catch (error) {
          expect(isWebhookVerificationError(error)).toBe(true);
        }
      }),
      300,
    );
  });

  it("signWebhook and buildSignedDelivery throw nothing but a TypeError", () => {
    const position = fc.constantFrom(0, 1, 2, 3, 4);
    holds(
      fc.property(position, anyValue, (at, make) => {
        const value = make();
        const args: unknown[] = [SPEC_BODY, SPEC_TIMESTAMP, SPEC_SECRET];
        try {
          if (at < 3) {
            args[at] = value;
            signWebhook(...(args as Parameters<typeof signWebhook>));
          } else if (at === 3)
            buildSignedDelivery(value as string, SPEC_SECRET, { timestamp: SPEC_TIMESTAMP });
          else buildSignedDelivery(SPEC_BODY, SPEC_SECRET, value as { timestamp: string });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as Error).message).not.toContain(SPEC_SECRET);
        }
      }),
      300,
    );
  });
});
