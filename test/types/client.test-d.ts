// Compile-time contract of the client. Each @ts-expect-error sits on the exact line that must not compile.

import {
  type CallOutcome,
  createRotateClient,
  type DetailError,
  type GatewayError,
  HaiAgentsClient,
  type HaiAgentsConfigurationError,
  type HaiAgentsError,
  type HTTPValidationError,
  type Webhook,
  type WebhookPingResult,
  type WebhookWithSecret,
  type WireWebhook,
  type WireWebhookWithSecret,
} from "hai-webhook-rotate";
import { describe, expectTypeOf, it } from "vitest";

const client = createRotateClient({ apiKey: "hk-types" });
const path = { webhook_id: "f47ac10b-58cc-4372-a567-0e02b2c3d479" };

describe("raw client types", () => {
  it("types a success as the webhook with a string secret", async () => {
    const { data, error } = await client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path } });
    if (data) {
      expectTypeOf(data.secret).toEqualTypeOf<string>();
      expectTypeOf(data.description).toEqualTypeOf<string | null>();
      expectTypeOf(data.last_delivery_status).toEqualTypeOf<"succeeded" | "failed" | null | undefined>();
      expectTypeOf(error).toEqualTypeOf<undefined>();
    }
  });

  it("types the error as the union of the documented 401, 404 and 422 bodies", async () => {
    const { error } = await client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path } });
    if (error) {
      expectTypeOf(error).toEqualTypeOf<GatewayError | DetailError | HTTPValidationError>();
      expectTypeOf<DetailError>().toExtend<typeof error>();
      expectTypeOf<DetailError["detail"]>().toEqualTypeOf<string>();
    }
  });

  it("rejects a wrong path-parameter name", () => {
    // @ts-expect-error webhookId is the facade's name; the raw path parameter is webhook_id
    void client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhookId: "x" } } });
  });

  it("rejects a call without the path parameter", () => {
    // @ts-expect-error params.path.webhook_id is required
    void client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: {} });
  });

  it("types get and ping from the spec: the read has no secret, ping reports a status", async () => {
    const read = await client.GET("/api/v2/webhooks/{webhook_id}", { params: { path } });
    if (read.data) {
      expectTypeOf(read.data).not.toHaveProperty("secret");
      expectTypeOf(read.data.created_at).toEqualTypeOf<string>();
    }
    const ping = await client.POST("/api/v2/webhooks/{webhook_id}/ping", { params: { path } });
    if (ping.data) expectTypeOf(ping.data.response_status).toEqualTypeOf<number>();
  });

  it("rejects a path the spec does not have", () => {
    // @ts-expect-error no such path
    void client.POST("/api/v2/webhooks/{webhook_id}/rotate-now", { params: { path } });
  });

  it("rejects a method the spec does not document", () => {
    // @ts-expect-error rotate is POST only
    void client.GET("/api/v2/webhooks/{webhook_id}/rotate", { params: { path } });
  });
});

describe("facade types", () => {
  const sdk = new HaiAgentsClient({ token: "hk-types" });

  it("resolves to the webhook with its secret", () => {
    expectTypeOf(
      sdk.webhooks.rotateWebhookSecret({ webhookId: path.webhook_id }),
    ).resolves.toEqualTypeOf<WebhookWithSecret>();
    expectTypeOf<WebhookWithSecret["secret"]>().toEqualTypeOf<string>();
  });

  it("returns the official SDK's shapes: camelCase, Date for date-times, null kept", async () => {
    const rotated = await sdk.webhooks.rotateWebhookSecret({ webhookId: path.webhook_id });
    expectTypeOf(rotated.createdAt).toEqualTypeOf<Date>();
    expectTypeOf(rotated.lastSuccessAt).toEqualTypeOf<Date | null | undefined>();
    expectTypeOf(rotated.description).toEqualTypeOf<string | null>();
    expectTypeOf(rotated).not.toHaveProperty("created_at");
    // @ts-expect-error the wire's snake_case name is not on the model
    void rotated.created_at;

    const webhook = await sdk.webhooks.getWebhook({ webhookId: path.webhook_id });
    expectTypeOf(webhook).toEqualTypeOf<Webhook>();
    expectTypeOf(webhook.consecutiveFailures).toEqualTypeOf<number | undefined>();
    expectTypeOf(webhook).not.toHaveProperty("secret");
    // @ts-expect-error a read never carries the secret
    void webhook.secret;

    const ping = await sdk.webhooks.pingWebhook({ webhookId: path.webhook_id });
    expectTypeOf(ping).toEqualTypeOf<WebhookPingResult>();
    expectTypeOf(ping.responseStatus).toEqualTypeOf<number>();
  });

  it("keeps the wire shapes for the raw client under their own names", () => {
    expectTypeOf<WireWebhookWithSecret["created_at"]>().toEqualTypeOf<string>();
    expectTypeOf<WireWebhook>().not.toHaveProperty("secret");
  });

  it("requires webhookId", () => {
    // @ts-expect-error webhookId is required
    void sdk.webhooks.rotateWebhookSecret({});
  });

  it("rejects the raw parameter name in the facade", () => {
    // @ts-expect-error the facade takes webhookId, as the official SDK does
    void sdk.webhooks.rotateWebhookSecret({ webhook_id: path.webhook_id });
  });

  it("gives every error an outcome a caller can switch over exhaustively", () => {
    expectTypeOf<HaiAgentsError["outcome"]>().toEqualTypeOf<CallOutcome>();
    expectTypeOf<CallOutcome>().toEqualTypeOf<"not_sent" | "rejected" | "unknown" | "secret_lost">();
  });

  it("names every setting a not_sent configuration error can point at, headers included", () => {
    expectTypeOf<HaiAgentsConfigurationError["setting"]>().toEqualTypeOf<
      "apiKey" | "baseUrl" | "timeoutInSeconds" | "headers"
    >();
    expectTypeOf<HaiAgentsConfigurationError["outcome"]>().toEqualTypeOf<CallOutcome>();
  });

  it("does not offer retries for rotate", () => {
    // @ts-expect-error there is no maxRetries: rotate is never retried
    void new HaiAgentsClient({ maxRetries: 2 });
  });
});
