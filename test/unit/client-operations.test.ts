// getWebhook and pingWebhook beside rotate: the same rules (id guard, bearer auth, one attempt, no
// redirect, timeout) through the facade and the raw client, and the errors particular to ping.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BadRequestError,
  createRotateClient,
  HaiAgentsApiError,
  HaiAgentsClient,
  type HaiAgentsError,
  HaiAgentsRedirectError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  NotFoundError,
  ReceiverUnreachableError,
  UnexpectedResponseError,
} from "../../src/index.js";
import { type LocalServer, sendJson, startServer } from "../client/local-server.js";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const KEY = "hk-operations-4f1c2d9e8b7a";
const WEBHOOK = {
  id: WEBHOOK_ID,
  url: "https://example.com/hooks/h",
  enabled_events: ["session.completed", "session.failed"],
  description: null,
  disabled: false,
  created_at: "2026-06-11T15:04:05Z",
  updated_at: "2026-07-02T09:00:00Z",
  last_delivery_status: "succeeded",
  last_delivery_error: null,
  last_delivery_at: "2026-07-02T09:05:00Z",
  last_success_at: "2026-07-02T09:05:00Z",
  consecutive_failures: 0,
};

let api: LocalServer;
let client: HaiAgentsClient;
beforeEach(async () => {
  api = await startServer();
  client = new HaiAgentsClient({ baseUrl: api.origin, token: KEY });
});
afterEach(async () => {
  await api.close();
});

const failureOf = (call: Promise<unknown>) =>
  call.then(
    () => expect.fail("the call should have failed"),
    (error: unknown) => error as HaiAgentsError,
  );

describe("getWebhook", () => {
  it("sends one keyed GET and returns the webhook in the SDK's shape: camelCase, Dates, nulls kept", async () => {
    api.answer((_, response) => sendJson(response, 200, WEBHOOK));
    const webhook = await client.webhooks.getWebhook({ webhookId: WEBHOOK_ID });
    expect(api.requests).toEqual([
      expect.objectContaining({ method: "GET", url: `/api/v2/webhooks/${WEBHOOK_ID}` }),
    ]);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(webhook).toEqual({
      id: WEBHOOK_ID,
      url: "https://example.com/hooks/h",
      enabledEvents: ["session.completed", "session.failed"],
      description: null,
      disabled: false,
      createdAt: new Date("2026-06-11T15:04:05Z"),
      updatedAt: new Date("2026-07-02T09:00:00Z"),
      lastDeliveryStatus: "succeeded",
      lastDeliveryError: null,
      lastDeliveryAt: new Date("2026-07-02T09:05:00Z"),
      lastSuccessAt: new Date("2026-07-02T09:05:00Z"),
      consecutiveFailures: 0,
    });
  });

  it("drops a secret a read should never have carried", async () => {
    api.answer((_, response) => sendJson(response, 200, { ...WEBHOOK, secret: "whsec_should_not_be_here" }));
    const webhook = await client.webhooks.getWebhook({ webhookId: WEBHOOK_ID });
    expect(webhook).not.toHaveProperty("secret");
  });

  it("404 is a NotFoundError that says nothing changed", async () => {
    api.answer((_, response) => sendJson(response, 404, { detail: "Webhook not found" }));
    const error = await failureOf(client.webhooks.getWebhook({ webhookId: WEBHOOK_ID }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.outcome).toBe("rejected");
    expect(error.message).toMatch(/Nothing was changed/);
  });

  it("a 2xx that is not a webhook is an UnexpectedResponseError with an unknown outcome", async () => {
    api.answer((_, response) => sendJson(response, 200, { nope: true }));
    const error = await failureOf(client.webhooks.getWebhook({ webhookId: WEBHOOK_ID }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.outcome).toBe("unknown");
  });
});

describe("rotateWebhookSecret", () => {
  it("returns the webhook with its secret in the SDK's shape", async () => {
    const secret = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";
    api.answer((_, response) => sendJson(response, 200, { ...WEBHOOK, secret }));
    const rotated = await client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID });
    expect(rotated.secret).toBe(secret);
    expect(rotated.createdAt).toEqual(new Date("2026-06-11T15:04:05Z"));
    expect(rotated.enabledEvents).toEqual(["session.completed", "session.failed"]);
    expect(rotated).not.toHaveProperty("created_at");
  });
});

describe("pingWebhook", () => {
  it("sends one keyed POST to /ping and reports the receiver's status", async () => {
    api.answer((_, response) => sendJson(response, 200, { response_status: 401 }));
    const result = await client.webhooks.pingWebhook({ webhookId: WEBHOOK_ID });
    expect(api.requests).toEqual([
      expect.objectContaining({ method: "POST", url: `/api/v2/webhooks/${WEBHOOK_ID}/ping` }),
    ]);
    expect(result).toEqual({ responseStatus: 401 });
  });

  it("502 is a ReceiverUnreachableError saying the receiver could not be reached, sent once", async () => {
    api.answer((_, response) =>
      sendJson(response, 502, { detail: "Could not reach https://example.com/hooks/h: timed out" }),
    );
    const error = await failureOf(client.webhooks.pingWebhook({ webhookId: WEBHOOK_ID }));
    expect(error).toBeInstanceOf(ReceiverUnreachableError);
    expect(error).toBeInstanceOf(HaiAgentsApiError);
    expect(error.statusCode).toBe(502);
    expect(error.message).toMatch(/could not reach the receiver at the webhook's URL \(HTTP 502\)/);
    expect(api.requests).toHaveLength(1);
  });

  it("400 (a URL that is not public https) is a BadRequestError", async () => {
    api.answer((_, response) =>
      sendJson(response, 400, { detail: "Webhook URL must use https and resolve to a public address" }),
    );
    const error = await failureOf(client.webhooks.pingWebhook({ webhookId: WEBHOOK_ID }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.outcome).toBe("rejected");
  });

  it.each([500, 503])("HTTP %i is not retried and its outcome is unknown", async (status) => {
    api.answer((_, response) => sendJson(response, status, { detail: "busy" }));
    const error = await failureOf(client.webhooks.pingWebhook({ webhookId: WEBHOOK_ID }));
    expect(error).not.toBeInstanceOf(ReceiverUnreachableError);
    expect(error.outcome).toBe("unknown");
    expect(api.requests).toHaveLength(1);
  });

  it("says a ping was sent when its 2xx cannot be read, and may not have been when no usable status came", async () => {
    api.answer((_, response) => sendJson(response, 200, { nope: true }));
    const unreadable = await failureOf(client.webhooks.pingWebhook({ webhookId: WEBHOOK_ID }));
    expect(unreadable).toBeInstanceOf(UnexpectedResponseError);
    expect(unreadable.message).toBe(
      "Pinging the webhook answered HTTP 200 but its body has no integer `response_status`. The ping was " +
        "sent; it changes nothing, so pinging again is safe.",
    );
    api.answer((_, response) => sendJson(response, 503, { detail: "busy" }));
    const unknown = await failureOf(client.webhooks.pingWebhook({ webhookId: WEBHOOK_ID }));
    expect(unknown.message).toBe(
      'Pinging the webhook failed with HTTP 503. Server said: "busy". The ping may or may not have been ' +
        "delivered; it changes nothing, so pinging again is safe.",
    );
  });

  it("a 502 from get or rotate is not a ReceiverUnreachableError: only ping reaches a receiver", async () => {
    api.answer((_, response) => sendJson(response, 502, { detail: "bad gateway" }));
    const error = await failureOf(client.webhooks.getWebhook({ webhookId: WEBHOOK_ID }));
    expect(error).not.toBeInstanceOf(ReceiverUnreachableError);
    expect(error.outcome).toBe("unknown");
  });
});

describe("the same rules for every operation, facade and raw", () => {
  // A short timeout only where the test waits for it: on a busy machine 0.2 s can pass before an answer.
  const raw = (timeoutInSeconds: number) =>
    createRotateClient({ baseUrl: api.origin, apiKey: KEY, timeoutInSeconds });
  const calls = {
    "facade getWebhook": (webhookId: string, timeoutInSeconds = 30) =>
      client.webhooks.getWebhook({ webhookId }, { timeoutInSeconds }),
    "facade pingWebhook": (webhookId: string, timeoutInSeconds = 30) =>
      client.webhooks.pingWebhook({ webhookId }, { timeoutInSeconds }),
    "raw GET": (webhookId: string, timeoutInSeconds = 30) =>
      raw(timeoutInSeconds).GET("/api/v2/webhooks/{webhook_id}", {
        params: { path: { webhook_id: webhookId } },
      }),
    "raw POST ping": (webhookId: string, timeoutInSeconds = 30) =>
      raw(timeoutInSeconds).POST("/api/v2/webhooks/{webhook_id}/ping", {
        params: { path: { webhook_id: webhookId } },
      }),
  };

  for (const [name, call] of Object.entries(calls)) {
    it(`${name}: an invalid id is refused with nothing sent`, async () => {
      const error = await failureOf(call("not-a-uuid"));
      expect(error).toBeInstanceOf(InvalidWebhookIdError);
      expect(api.requests).toHaveLength(0);
    });

    it(`${name}: a redirect is not followed`, async () => {
      api.answer((_, response) => {
        response.writeHead(308, { location: `${api.origin}/api/v2/webhooks/${WEBHOOK_ID}` });
        response.end();
      });
      const error = await failureOf(call(WEBHOOK_ID));
      expect(error).toBeInstanceOf(HaiAgentsRedirectError);
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    });

    it(`${name}: a server that never answers times out`, async () => {
      api.answer(() => undefined);
      const error = await failureOf(call(WEBHOOK_ID, 0.2));
      expect(error).toBeInstanceOf(HaiAgentsTimeoutError);
      expect(error.outcome).toBe("unknown");
    });
  }
});
