// Properties of verifyWebhook over generated secrets, bodies, timestamps and junk, checked with fast-check.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  isWebhookVerificationError,
  readWebhookHeaders,
  signWebhook,
  verifyWebhook,
  WEBHOOK_VERIFICATION_ERROR_REASONS,
  WebhookVerificationError,
} from "../../src/webhooks/index.js";
import { SPEC_BODY, SPEC_SECRET, SPEC_SIGNATURE, SPEC_TIMESTAMP } from "./support/fixtures.js";
import { holds, summary } from "./support/property-runs.js";

// The event types the spec lists, written out here rather than imported, so a drift shows up.
const SESSION_TYPES = [
  "session.awaiting_tool_results",
  "session.completed",
  "session.failed",
  "session.idle",
  "session.status_updated",
  "session.timed_out",
];
// Secrets the verifier accepts: well-formed Unicode without control characters (see the NUL-padding test).
const usable = (text: string) => !/\p{Cs}/u.test(text) && !/[\u0000-\u001f\u007f]/.test(text);

const secretArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).filter(usable),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).filter(usable),
  fc.base64String({ minLength: 4, maxLength: 64 }).map((key) => `whsec_${key}`),
);
const secretListArb = fc.uniqueArray(secretArb, { minLength: 1, maxLength: 5 });
const sessionEventArb = fc.record({
  type: fc.constantFrom(...SESSION_TYPES),
  id: fc.string(),
  created_at: fc.string(),
  data: fc.record({
    session_id: fc.string(),
    status: fc.string(),
    previous_status: fc.option(fc.string(), { nil: null }),
  }),
});
const pingEventArb = fc.record({
  type: fc.constant("ping"),
  id: fc.string(),
  created_at: fc.string(),
  data: fc.record({ webhook_id: fc.uuid() }),
});
const otherEventArb = fc.record({
  type: fc
    .string({ unit: "binary", minLength: 1 })
    .filter((type) => type !== "ping" && !SESSION_TYPES.includes(type)),
  id: fc.string(),
  created_at: fc.string(),
  data: fc.dictionary(fc.string(), fc.jsonValue()),
});
/** An event serialised the way some sender might: compact or indented, with any Unicode. */
const eventBodyArb = fc
  .tuple(fc.oneof(sessionEventArb, pingEventArb, otherEventArb), fc.constantFrom(undefined, 0, 2, "\t"))
  .map(([event, indent]) => JSON.stringify(event, null, indent));
const anyBodyArb = fc.oneof(eventBodyArb, fc.string({ unit: "grapheme" }), fc.uint8Array({ maxLength: 300 }));
/** A signing time and a receiver clock within the 300 s window of it, in milliseconds. */
const timingArb = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.integer({ min: -300, max: 300 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([seconds, skew, ms]) => ({ timestamp: String(seconds), now: () => (seconds + skew) * 1000 + ms }));
const textOf = (body: string | Uint8Array) =>
  typeof body === "string" ? body : Buffer.from(body).toString("utf8");
const reasonOf = (call: () => unknown): string => {
  try {
    call();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return "verified";
};

afterAll(() => {
  console.log(summary());
});

describe("verifyWebhook properties", () => {
  it("a delivery signed with any secret of the list verifies and reports that secret's index", () => {
    holds(
      fc.property(
        secretListArb,
        fc.nat(),
        eventBodyArb,
        timingArb,
        fc.boolean(),
        (secrets, pick, body, timing, asBytes) => {
          const index = pick % secrets.length;
          const signature = signWebhook(body, timing.timestamp, secrets[index]!);
          const result = verifyWebhook(
            asBytes ? Buffer.from(body) : body,
            signature,
            timing.timestamp,
            secrets,
            { now: timing.now },
          );
          expect(result.secretIndex).toBe(index);
          expect(result.timestamp).toBe(Number(timing.timestamp));
          expect(result.event).toEqual(JSON.parse(body));
          expect(result.known).toBe(
            result.event.type === "ping" || SESSION_TYPES.includes(result.event.type),
          );
        },
      ),
      300,
    );
  });

  it("any signed bytes pass the signature check: the event comes back, or invalid_payload names the same secret", () => {
    holds(
      fc.property(secretListArb, fc.nat(), anyBodyArb, timingArb, (secrets, pick, body, timing) => {
        const index = pick % secrets.length;
        const signature = signWebhook(body, timing.timestamp, secrets[index]!);
        try {
          const result = verifyWebhook(body, signature, timing.timestamp, secrets, { now: timing.now });
          expect(result.secretIndex).toBe(index);
          expect(result.event).toEqual(JSON.parse(textOf(body)));
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookVerificationError);
          expect({
            reason: (error as WebhookVerificationError).reason,
            secretIndex: (error as WebhookVerificationError).secretIndex,
          }).toEqual({
            reason: "invalid_payload",
            secretIndex: index,
          });
        }
      }),
      300,
    );
  });

  it("flipping any bits of any body byte fails with signature_mismatch", () => {
    holds(
      fc.property(
        secretArb,
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        timingArb,
        (secret, body, at, mask, timing) => {
          const signature = signWebhook(body, timing.timestamp, secret);
          const changed = Uint8Array.from(body);
          const position = at % changed.length;
          changed[position] = changed[position]! ^ mask;
          expect(
            reasonOf(() => verifyWebhook(changed, signature, timing.timestamp, secret, { now: timing.now })),
          ).toBe("signature_mismatch");
        },
      ),
      300,
    );
  });

  it("changing any character of the timestamp fails: signature_mismatch if still digits, else invalid_timestamp", () => {
    holds(
      fc.property(
        secretArb,
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.nat(),
        fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
        (secret, seconds, at, char) => {
          const timestamp = String(seconds);
          const position = at % timestamp.length;
          fc.pre(char !== timestamp[position]);
          const changed = timestamp.slice(0, position) + char + timestamp.slice(position + 1);
          const signature = signWebhook(SPEC_BODY, timestamp, secret);
          // A window wide enough for any 13-digit timestamp, so only the signature can reject a digit change.
          const options = { toleranceSeconds: 1e13, now: () => seconds * 1000 };
          const expected = /^[0-9]+$/.test(changed) ? "signature_mismatch" : "invalid_timestamp";
          expect(reasonOf(() => verifyWebhook(SPEC_BODY, signature, changed, secret, options))).toBe(
            expected,
          );
        },
      ),
      300,
    );
  });

  it("flipping any bit of the signature's digest fails with signature_mismatch", () => {
    holds(
      fc.property(
        secretArb,
        eventBodyArb,
        timingArb,
        fc.integer({ min: 0, max: 255 }),
        (secret, body, timing, bit) => {
          const digest = Buffer.from(signWebhook(body, timing.timestamp, secret).slice(7), "hex");
          digest.writeUInt8(digest.readUInt8(bit >> 3) ^ (1 << (bit & 7)), bit >> 3);
          const forged = `sha256=${digest.toString("hex")}`;
          expect(
            reasonOf(() => verifyWebhook(body, forged, timing.timestamp, secret, { now: timing.now })),
          ).toBe("signature_mismatch");
        },
      ),
      300,
    );
  });

  it("changing any character of the signature header fails: signature_mismatch for another lowercase hex digit, else malformed_signature", () => {
    holds(
      fc.property(fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), (at, char) => {
        const position = at % SPEC_SIGNATURE.length;
        fc.pre(char !== SPEC_SIGNATURE[position]);
        const changed = SPEC_SIGNATURE.slice(0, position) + char + SPEC_SIGNATURE.slice(position + 1);
        const expected =
          position >= "sha256=".length && /^[0-9a-f]$/.test(char)
            ? "signature_mismatch"
            : "malformed_signature";
        const options = { now: () => Number(SPEC_TIMESTAMP) * 1000 };
        expect(reasonOf(() => verifyWebhook(SPEC_BODY, changed, SPEC_TIMESTAMP, SPEC_SECRET, options))).toBe(
          expected,
        );
      }),
      300,
    );
  });

  it("a secret that is not in the list never verifies, near misses included", () => {
    const nearMissesOf = (secret: string) =>
      fc.oneof(
        secretArb,
        fc.constant(`${secret} `),
        fc.constant([...secret].slice(0, -1).join("") || "x"),
        fc.constant(secret.replace(/^whsec_/, "") || "y"),
        fc.constant(`whsec_${secret}`),
        fc.constant(secret.toUpperCase()),
      );
    holds(
      fc.property(
        secretArb.chain((secret) =>
          fc.tuple(fc.constant(secret), fc.array(nearMissesOf(secret), { minLength: 1, maxLength: 5 })),
        ),
        eventBodyArb,
        timingArb,
        ([signer, candidates], body, timing) => {
          const trusted = candidates.filter((candidate) => candidate !== signer);
          fc.pre(trusted.length > 0);
          const signature = signWebhook(body, timing.timestamp, signer);
          expect(
            reasonOf(() => verifyWebhook(body, signature, timing.timestamp, trusted, { now: timing.now })),
          ).toBe("signature_mismatch");
        },
      ),
      300,
    );
  });
});

describe("junk input", () => {
  const junk = fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
    withUnicodeString: true,
  });
  const plausible = <T>(...values: T[]) => fc.oneof(junk, fc.constantFrom(...values));
  const junkOptions = fc.oneof(
    junk,
    fc.record(
      {
        toleranceSeconds: junk,
        toleranceS: junk,
        now: fc.oneof(
          junk,
          junk.map((value) => () => value),
        ),
      },
      { requiredKeys: [] },
    ),
  );

  it("never makes verifyWebhook throw anything but a WebhookVerificationError with a known reason", () => {
    holds(
      fc.property(
        plausible<unknown>(SPEC_BODY, Buffer.from(SPEC_BODY)),
        plausible<unknown>(SPEC_SIGNATURE, "sha256=", ""),
        plausible<unknown>(SPEC_TIMESTAMP, "", "1e9"),
        plausible<unknown>(SPEC_SECRET, [SPEC_SECRET], [], [undefined, SPEC_SECRET]),
        junkOptions,
        (body, signature, timestamp, secrets, options) => {
          try {
            verifyWebhook(
              body as string,
              signature as string,
              timestamp as string,
              secrets as string[],
              options as undefined,
            );
          } catch (error) {
            expect(isWebhookVerificationError(error)).toBe(true);
            expect(WEBHOOK_VERIFICATION_ERROR_REASONS).toContain((error as WebhookVerificationError).reason);
            expect((error as Error).message.length).toBeGreaterThan(20);
            return;
          }
          // Only the untouched spec delivery could verify, and its timestamp is outside the window of any real clock.
          throw new Error("junk input verified");
        },
      ),
      1000,
    );
  });

  it("never makes readWebhookHeaders throw anything but a WebhookVerificationError", () => {
    const headerish = fc.oneof(
      junk,
      fc.dictionary(
        fc.constantFrom("x-h-webhook-signature", "X-H-Webhook-Timestamp", "x-h-webhook-timestamp", "other"),
        junk,
      ),
    );
    holds(
      fc.property(headerish, (headers) => {
        try {
          const read = readWebhookHeaders(headers as Headers);
          expect(typeof read.signature === "string" && typeof read.timestamp === "string").toBe(true);
        } catch (error) {
          expect(isWebhookVerificationError(error)).toBe(true);
        }
      }),
      500,
    );
  });
});
