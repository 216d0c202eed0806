// Secrets that retire themselves: `{ secret, notAfter }` entries, on both paths. Start from a rotation in
// progress (old secret kept until notAfter, new secret trusted), change one thing, assert the exact outcome.
import { describe, expect, it } from "vitest";
import {
  signWebhook,
  verifyWebhook,
  verifyWebhookAsync,
  type WebhookSecrets,
  WebhookVerificationError,
} from "../../src/webhooks/index.js";
import { OTHER_SECRET, SPEC_BODY, SPEC_SECRET, SPEC_SIGNATURE, SPEC_TIMESTAMP } from "./support/fixtures.js";

const OLD = SPEC_SECRET; // signed the spec's example delivery
const NEW = OTHER_SECRET;
const signedAtMs = Number(SPEC_TIMESTAMP) * 1000;
const NEW_SIGNATURE = signWebhook(SPEC_BODY, SPEC_TIMESTAMP, NEW);

describe.each([
  ["verifyWebhook", async (...args: Parameters<typeof verifyWebhook>) => verifyWebhook(...args)],
  ["verifyWebhookAsync", verifyWebhookAsync],
])("%s with an expiring secret", (_name, verify) => {
  const at = (secrets: WebhookSecrets, nowMs = signedAtMs, signature = SPEC_SIGNATURE) =>
    verify(SPEC_BODY, signature, SPEC_TIMESTAMP, secrets, { now: () => nowMs });
  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => expect.fail("verified"),
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  };

  it("verifies with the old secret until notAfter, as a Date or epoch milliseconds, that instant included", async () => {
    for (const notAfter of [new Date(signedAtMs + 60_000), signedAtMs + 60_000]) {
      const result = await at([{ secret: OLD, notAfter }, NEW], signedAtMs + 60_000);
      expect(result.secretIndex).toBe(0);
    }
  });

  it("refuses what only the expired secret signs, as secret_expired naming it and saying to remove it", async () => {
    const error = await refusal(at([{ secret: OLD, notAfter: signedAtMs - 1 }, NEW]));
    expect({ reason: error.reason, secretIndex: error.secretIndex }).toEqual({
      reason: "secret_expired",
      secretIndex: 0,
    });
    expect(error.message).toMatch(
      /^secrets\[0\] matches this delivery but expired at 2026-07-02T08:59:59\.999Z/,
    );
    expect(error.message).toMatch(/Remove it from the trusted list/);
    expect(error.message).not.toContain(OLD.slice(6));
  });

  it("still verifies a delivery signed with the new secret once the old one has expired", async () => {
    const result = await at([{ secret: OLD, notAfter: signedAtMs - 1 }, NEW], signedAtMs, NEW_SIGNATURE);
    expect(result.secretIndex).toBe(1);
  });

  it("hints at a notAfter given in seconds", async () => {
    const error = await refusal(at([{ secret: OLD, notAfter: Number(SPEC_TIMESTAMP) + 600 }, NEW]));
    expect(error.message).toMatch(/given in seconds/);
  });

  it("keeps plain strings working as before, and an expired secret that does not match changes nothing", async () => {
    expect((await at(OLD)).secretIndex).toBe(0);
    const error = await refusal(at([{ secret: NEW, notAfter: 0 }, "whsec_unrelated"]));
    expect(error.reason).toBe("signature_mismatch");
  });

  it.each<[string, unknown]>([
    ["no notAfter", { secret: OLD }],
    ["a notAfter that is a string", { secret: OLD, notAfter: "2026-07-02" }],
    ["an Invalid Date", { secret: OLD, notAfter: new Date("soon") }],
    ["a notAfter beyond a Date's range", { secret: OLD, notAfter: 1e300 }],
    ["a misspelt field (which would otherwise never expire)", { secret: OLD, notafter: signedAtMs }],
    ["a secret that is not a string", { secret: 42, notAfter: signedAtMs }],
  ])("refuses an entry with %s as invalid_secret, before any delivery", async (_case, entry) => {
    const error = await refusal(at([entry, NEW] as WebhookSecrets));
    expect(error.reason).toBe("invalid_secret");
  });

  it("refuses an entry whose secret is unset as no_secret", async () => {
    const error = await refusal(at([{ secret: undefined as unknown as string, notAfter: signedAtMs }, NEW]));
    expect(error.reason).toBe("no_secret");
  });
});
