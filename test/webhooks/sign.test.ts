// signWebhook and buildSignedDelivery: the helpers receivers, the mock and our tests sign deliveries with.
import { describe, expect, it } from "vitest";
import {
  buildSignedDelivery,
  type KnownWebhookEvent,
  readWebhookHeaders,
  signWebhook,
  verifyWebhook,
} from "../../src/webhooks/index.js";
import { clockAt, SPEC_BODY, SPEC_SECRET, SPEC_SIGNATURE, SPEC_TIMESTAMP } from "./support/fixtures.js";

const event = JSON.parse(SPEC_BODY) as KnownWebhookEvent;

describe("signWebhook", () => {
  it("reproduces the spec's documented signature from a string, bytes and a numeric timestamp", () => {
    expect(signWebhook(SPEC_BODY, SPEC_TIMESTAMP, SPEC_SECRET)).toBe(SPEC_SIGNATURE);
    expect(signWebhook(Buffer.from(SPEC_BODY), Number(SPEC_TIMESTAMP), SPEC_SECRET)).toBe(SPEC_SIGNATURE);
  });

  it("refuses an empty secret, a timestamp that is not Unix seconds and a parsed body", () => {
    expect(() => signWebhook(SPEC_BODY, SPEC_TIMESTAMP, "")).toThrow(TypeError);
    for (const timestamp of [-1, 1.5, "17829828OO", Number.NaN])
      expect(() => signWebhook(SPEC_BODY, timestamp, SPEC_SECRET)).toThrow(/Unix seconds/);
    expect(() => signWebhook(event as unknown as string, SPEC_TIMESTAMP, SPEC_SECRET)).toThrow(
      /^signWebhook: The body is an already-parsed object/,
    );
  });
});

describe("buildSignedDelivery", () => {
  it("serialises an event compactly, as the platform does, so the spec's example comes out byte for byte", () => {
    const delivery = buildSignedDelivery(event, SPEC_SECRET, { timestamp: SPEC_TIMESTAMP });
    expect(delivery).toEqual({
      body: SPEC_BODY,
      headers: {
        "Content-Type": "application/json",
        "X-H-Webhook-Signature": SPEC_SIGNATURE,
        "X-H-Webhook-Timestamp": SPEC_TIMESTAMP,
      },
      signature: SPEC_SIGNATURE,
      timestamp: SPEC_TIMESTAMP,
    });
  });

  it("stamps the time from the injected clock, rounded down to the second", () => {
    const delivery = buildSignedDelivery(event, SPEC_SECRET, { now: () => clockAt(0)() + 999 });
    expect(delivery.timestamp).toBe(SPEC_TIMESTAMP);
  });

  it("sends a string or bytes body verbatim", () => {
    const bytes = new Uint8Array([0x7b, 0x7d, 0x0a]);
    expect(buildSignedDelivery(bytes, SPEC_SECRET, { timestamp: 1 }).body).toBe(bytes);
    expect(buildSignedDelivery(" {} ", SPEC_SECRET, { timestamp: 1 }).body).toBe(" {} ");
  });

  it("round-trips through readWebhookHeaders and verifyWebhook with the default clock", () => {
    const delivery = buildSignedDelivery(event, SPEC_SECRET);
    const { signature, timestamp } = readWebhookHeaders(new Headers(delivery.headers));
    expect(verifyWebhook(delivery.body, signature, timestamp, ["whsec_old", SPEC_SECRET]).secretIndex).toBe(
      1,
    );
  });
});
