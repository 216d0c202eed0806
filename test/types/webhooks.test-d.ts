// Compile-time contract of `hai-webhook-rotate/webhooks`. Each @ts-expect-error sits on the exact line that must not compile.
import type { IncomingHttpHeaders } from "node:http";
import {
  buildSignedDelivery,
  type KnownWebhookEvent,
  type PingEvent,
  readWebhookHeaders,
  type SessionEvent,
  type SignedDelivery,
  signWebhook,
  type VerifiedWebhook,
  verifyWebhook,
  verifyWebhookAsync,
  type WEBHOOK_VERIFICATION_ERROR_REASONS,
  type WebhookEventEnvelope,
  WebhookVerificationError,
  type WebhookVerificationErrorReason,
} from "hai-webhook-rotate/webhooks";
import { verifyWebhookAsync as webVerify } from "hai-webhook-rotate/webhooks/web";
import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/api.js";

declare const body: string;
declare const sig: string;
declare const ts: string;
declare const nodeHeaders: IncomingHttpHeaders;

describe("verifyWebhook types", () => {
  it("accepts the seed's call shape and returns the verified delivery", () => {
    expectTypeOf(verifyWebhook(body, sig, ts, ["whsec_old", "whsec_new"])).toEqualTypeOf<VerifiedWebhook>();
    expectTypeOf(
      verifyWebhook(Buffer.from(body), sig, ts, "whsec_one", { toleranceS: 300 }).secretIndex,
    ).toEqualTypeOf<number>();
  });

  it("types known events from the spec's webhooks section, matching the KnownWebhookEvent schema", () => {
    expectTypeOf<KnownWebhookEvent>().toEqualTypeOf<components["schemas"]["KnownWebhookEvent"]>();
    expectTypeOf<KnownWebhookEvent>().toEqualTypeOf<SessionEvent | PingEvent>();
  });

  it("narrows event.type once known is checked", () => {
    const result = verifyWebhook(body, sig, ts, ["whsec_old", "whsec_new"]);
    if (result.known) {
      expectTypeOf(result.event).toEqualTypeOf<SessionEvent | PingEvent>();
      if (result.event.type === "ping") expectTypeOf(result.event.data.webhook_id).toEqualTypeOf<string>();
      else expectTypeOf(result.event.data.previous_status).toEqualTypeOf<string | null>();
    } else {
      expectTypeOf(result.event).toEqualTypeOf<WebhookEventEnvelope>();
      expectTypeOf(result.event.data).toEqualTypeOf<{ [key: string]: unknown }>();
    }
  });

  it("narrows through destructuring too", () => {
    const { event, known } = verifyWebhook(body, sig, ts, "whsec_one");
    if (known) expectTypeOf(event.type).toEqualTypeOf<components["schemas"]["SessionEventType"] | "ping">();
  });

  it("does not let an unchecked event be treated as a known one", () => {
    const { event } = verifyWebhook(body, sig, ts, "whsec_one");
    // @ts-expect-error without checking `known`, the event may be any envelope, whose data has no session_id type
    const sessionId: string = event.data.session_id;
    void sessionId;
  });

  it("accepts header values that may be absent, as headers.get() returns them", () => {
    const headers = new Headers();
    expectTypeOf(
      verifyWebhook(
        body,
        headers.get("x-h-webhook-signature"),
        headers.get("x-h-webhook-timestamp"),
        "whsec_one",
      ),
    ).toEqualTypeOf<VerifiedWebhook>();
  });

  it("rejects a parsed body", () => {
    // @ts-expect-error the body must be the raw string or bytes, not parsed JSON
    verifyWebhook({ type: "ping" }, sig, ts, "whsec_one");
  });

  it("rejects a numeric timestamp", () => {
    // @ts-expect-error the timestamp is the header's string, verbatim
    verifyWebhook(body, sig, 1782982800, "whsec_one");
  });

  it("rejects a misspelt option", () => {
    // @ts-expect-error the option is toleranceSeconds (or toleranceS)
    verifyWebhook(body, sig, ts, "whsec_one", { tolerance: 300 });
  });

  it("rejects a clock returning a Date", () => {
    // @ts-expect-error now returns milliseconds, like Date.now
    verifyWebhook(body, sig, ts, "whsec_one", { now: () => new Date() });
  });
});

describe("error types", () => {
  it("exposes the reason as a union of string literals, listed in full at runtime", () => {
    const error = new WebhookVerificationError("signature_mismatch", "x");
    expectTypeOf(error.reason).toEqualTypeOf<WebhookVerificationErrorReason>();
    expectTypeOf<
      (typeof WEBHOOK_VERIFICATION_ERROR_REASONS)[number]
    >().toEqualTypeOf<WebhookVerificationErrorReason>();
    expectTypeOf<"signature_mismatch">().toExtend<WebhookVerificationErrorReason>();
    expectTypeOf(error.secretIndex).toEqualTypeOf<number | undefined>();
  });

  it("rejects a reason that does not exist", () => {
    const error = new WebhookVerificationError("no_secret", "x");
    // @ts-expect-error "bad_signature" is not a reason; it is "signature_mismatch"
    if (error.reason === "bad_signature") throw error;
  });
});

describe("header and signing helper types", () => {
  it("reads from Headers, Node's IncomingHttpHeaders and plain objects", () => {
    expectTypeOf(readWebhookHeaders(nodeHeaders)).toEqualTypeOf<{ signature: string; timestamp: string }>();
    expectTypeOf(readWebhookHeaders(new Headers())).toEqualTypeOf<{ signature: string; timestamp: string }>();
    expectTypeOf(readWebhookHeaders({ "X-H-Webhook-Signature": sig })).toEqualTypeOf<{
      signature: string;
      timestamp: string;
    }>();
  });

  it("signs and builds deliveries", () => {
    expectTypeOf(signWebhook(body, 1782982800, "whsec_one")).toEqualTypeOf<string>();
    expectTypeOf(
      buildSignedDelivery(
        { type: "ping", id: "evt", created_at: "2026-07-02T09:05:00Z", data: { webhook_id: "w" } },
        "whsec_one",
      ),
    ).toEqualTypeOf<SignedDelivery>();
    expectTypeOf(buildSignedDelivery(body, "whsec_one").body).toEqualTypeOf<string>();
    const bytes = new Uint8Array(4);
    expectTypeOf(buildSignedDelivery(bytes, "whsec_one").body).toEqualTypeOf<typeof bytes>();
  });

  it("rejects an event missing a required field", () => {
    // @ts-expect-error created_at is required by the envelope
    buildSignedDelivery({ type: "ping", id: "evt", data: { webhook_id: "w" } }, "whsec_one");
  });
});

describe("verifyWebhookAsync and expiring secrets", () => {
  it("takes the same arguments as verifyWebhook and resolves to the same result", () => {
    expectTypeOf(verifyWebhookAsync(body, sig, ts, ["whsec_old", "whsec_new"])).toEqualTypeOf<
      Promise<VerifiedWebhook>
    >();
    expectTypeOf(verifyWebhookAsync).parameters.toEqualTypeOf<Parameters<typeof verifyWebhook>>();
    expectTypeOf(webVerify).toEqualTypeOf(verifyWebhookAsync);
  });

  it("accepts { secret, notAfter } entries with a Date or epoch milliseconds", () => {
    verifyWebhook(body, sig, ts, [{ secret: "whsec_old", notAfter: new Date() }, "whsec_new"]);
    verifyWebhook(body, sig, ts, { secret: "whsec_old", notAfter: Date.now() + 600_000 });
    // @ts-expect-error notAfter is a Date or a number, not a string
    verifyWebhook(body, sig, ts, [{ secret: "whsec_old", notAfter: "2026-07-02" }]);
  });
});
