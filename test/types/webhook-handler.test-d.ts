// Compile-time contract of the one import across its conditions: `hai-webhook-rotate/webhooks` as Node, Deno and
// Bun resolve it (node:crypto) and `hai-webhook-rotate/webhooks/web` (what Workers, browsers and the default
// condition get) have the very same types for every shared name; only node:crypto adds the synchronous ones.
// Each @ts-expect-error sits on the exact line that must not compile.
import { createServer } from "node:http";
import * as node from "hai-webhook-rotate/webhooks";
import {
  createNodeWebhookHandler,
  createSeenEventStore,
  createWebhookHandler,
  type SeenEventStore,
  type VerifiedWebhook,
  type WebhookHandler,
  type WebhookRefusal,
} from "hai-webhook-rotate/webhooks";
import * as web from "hai-webhook-rotate/webhooks/web";
// @ts-expect-error the Web Crypto entry has no synchronous verifier
import { verifyWebhook as notOnWorkers } from "hai-webhook-rotate/webhooks/web";
import { describe, expectTypeOf, it } from "vitest";

describe("the same types under every condition", () => {
  it("gives the shared names identical types in both implementations", () => {
    expectTypeOf(web.verifyWebhookAsync).toEqualTypeOf(node.verifyWebhookAsync);
    expectTypeOf(web.createWebhookHandler).toEqualTypeOf(node.createWebhookHandler);
    expectTypeOf(web.createNodeWebhookHandler).toEqualTypeOf(node.createNodeWebhookHandler);
    expectTypeOf(web.createSeenEventStore).toEqualTypeOf(node.createSeenEventStore);
    expectTypeOf(web.readWebhookHeaders).toEqualTypeOf(node.readWebhookHeaders);
    expectTypeOf(web.WebhookVerificationError).toEqualTypeOf(node.WebhookVerificationError);
    expectTypeOf<web.WebhookHandlerOptions>().toEqualTypeOf<node.WebhookHandlerOptions>();
    expectTypeOf<web.VerifiedWebhook>().toEqualTypeOf<node.VerifiedWebhook>();
    expectTypeOf(notOnWorkers).toBeAny();
  });
});

describe("createWebhookHandler types", () => {
  it("is a fetch handler: the runtime's own Request in, a Promise of its Response out", () => {
    const handler = createWebhookHandler({ secrets: "whsec_x", onEvent: () => undefined });
    expectTypeOf(handler).toEqualTypeOf<WebhookHandler>();
    expectTypeOf(handler).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf(handler).returns.toEqualTypeOf<Promise<Response>>();
    // A Worker's default export.
    const worker: { fetch(request: Request): Promise<Response> } = { fetch: handler };
    expectTypeOf(worker).not.toBeAny();
  });

  it("takes secrets as a list, expiring entries, or a sync or async function", () => {
    const onEvent = (webhook: VerifiedWebhook) => {
      if (webhook.known && webhook.event.type === "ping") return new Response(null, { status: 204 });
      return undefined;
    };
    createWebhookHandler({ secrets: ["whsec_old", "whsec_new"], onEvent });
    createWebhookHandler({ secrets: [{ secret: "whsec_old", notAfter: new Date() }, "whsec_new"], onEvent });
    createWebhookHandler({ secrets: () => ["whsec_new"], onEvent });
    createWebhookHandler({ secrets: async () => "whsec_new", onEvent });
    // @ts-expect-error a number is not a secret
    createWebhookHandler({ secrets: 42, onEvent });
    // @ts-expect-error onEvent is required
    createWebhookHandler({ secrets: "whsec_new" });
  });

  it("takes a Set or the bounded store for duplicates, and reports refusals", () => {
    const seen: SeenEventStore = new Set<string>();
    createWebhookHandler({ secrets: "whsec_x", onEvent: () => undefined, seen });
    createWebhookHandler({ secrets: "whsec_x", onEvent: () => undefined, seen: createSeenEventStore(100) });
    createWebhookHandler({
      secrets: "whsec_x",
      onEvent: () => undefined,
      onRefused: (refusal) => expectTypeOf(refusal).toEqualTypeOf<WebhookRefusal>(),
    });
  });

  it("fits node:http's createServer as a (req, res) listener", () => {
    const listener = createNodeWebhookHandler({ secrets: "whsec_x", onEvent: () => undefined });
    expectTypeOf(createServer(listener).listen).toBeFunction();
  });
});
