// Compile-time contract of the SDK-shaped models. Each @ts-expect-error sits on the exact line that must not compile.
import { describe, expectTypeOf, it } from "vitest";
import type { components } from "../../generated/api.js";
import {
  toWebhook,
  toWebhookPingResult,
  toWebhookWithSecret,
  type Webhook,
  type WebhookPingResult,
  type WebhookWithSecret,
} from "../../src/models.js";

declare const wireWebhook: components["schemas"]["Webhook"];
declare const wireRotated: components["schemas"]["WebhookWithSecret"];
declare const wirePing: components["schemas"]["WebhookPingResult"];

describe("model types", () => {
  it("names properties in camelCase, with Date for date-times and null kept", () => {
    const webhook = toWebhook(wireWebhook);
    expectTypeOf(webhook).toEqualTypeOf<Webhook>();
    expectTypeOf(webhook.createdAt).toEqualTypeOf<Date>();
    expectTypeOf(webhook.updatedAt).toEqualTypeOf<Date>();
    expectTypeOf(webhook.enabledEvents).toEqualTypeOf<string[]>();
    expectTypeOf(webhook.description).toEqualTypeOf<string | null>();
    expectTypeOf(webhook.lastDeliveryAt).toEqualTypeOf<Date | null | undefined>();
    expectTypeOf(webhook.lastSuccessAt).toEqualTypeOf<Date | null | undefined>();
    expectTypeOf(webhook.lastDeliveryStatus).toEqualTypeOf<"succeeded" | "failed" | null | undefined>();
    expectTypeOf(webhook.consecutiveFailures).toEqualTypeOf<number | undefined>();
  });

  it("has no snake_case property left", () => {
    const webhook = toWebhook(wireWebhook);
    // @ts-expect-error the wire name is gone: the model says createdAt
    void webhook.created_at;
    // @ts-expect-error the wire name is gone: the model says enabledEvents
    void webhook.enabled_events;
    expectTypeOf<Webhook>().not.toHaveProperty("created_at");
    expectTypeOf<Webhook>().toHaveProperty("createdAt");
  });

  it("a read never has a secret; rotate's result is the webhook plus its secret", () => {
    expectTypeOf<Webhook>().not.toHaveProperty("secret");
    // @ts-expect-error getWebhook's shape carries no secret
    void toWebhook(wireWebhook).secret;
    const rotated = toWebhookWithSecret(wireRotated);
    expectTypeOf(rotated.secret).toEqualTypeOf<string>();
    expectTypeOf(rotated.createdAt).toEqualTypeOf<Date>();
    expectTypeOf(rotated).toExtend<Webhook & { secret: string }>();
    expectTypeOf<Webhook & { secret: string }>().toExtend<WebhookWithSecret>();
  });

  it("a ping result is the receiver's status", () => {
    expectTypeOf(toWebhookPingResult(wirePing)).toEqualTypeOf<WebhookPingResult>();
    expectTypeOf<WebhookPingResult>().toEqualTypeOf<{ readonly responseStatus: number }>();
  });

  it("takes the wire types only", () => {
    // @ts-expect-error a model is not a wire object
    toWebhook(toWebhook(wireWebhook));
    // @ts-expect-error a read has no secret, so it cannot become rotate's result
    toWebhookWithSecret(wireWebhook);
  });
});
