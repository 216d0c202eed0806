// The README's vitest recipe, as written there: `setupServer(...handlers)` intercepts the global fetch
// for the facade created at module level, and `server.use(...createHandlers({ stateful: true }))` gives
// one test real rotations until `resetHandlers()`. (The other MSW tests inject fetch instead.)
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HaiAgentsClient, NotFoundError } from "../../src/index.js";
import { createHandlers, handlers } from "../../src/msw.js";

const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const EXAMPLE_SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";

const server = setupServer(...handlers);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = new HaiAgentsClient({ token: "hk-test" });

describe("the README's setupServer recipe", () => {
  it("shows the example secret", async () => {
    expect((await client.webhooks.rotateWebhookSecret({ webhookId: ID })).secret).toBe(EXAMPLE_SECRET);
  });

  it("reports an unknown webhook", async () => {
    const rotating = client.webhooks.rotateWebhookSecret({
      webhookId: "00000000-0000-4000-8000-000000000000",
    });
    await expect(rotating).rejects.toBeInstanceOf(NotFoundError);
  });

  it("gives one test real rotations through server.use(...createHandlers({ stateful: true }))", async () => {
    server.use(...createHandlers({ stateful: true }));
    const first = await client.webhooks.rotateWebhookSecret({ webhookId: ID });
    const second = await client.webhooks.rotateWebhookSecret({ webhookId: ID });
    expect(new Set([first.secret, second.secret, EXAMPLE_SECRET]).size).toBe(3);
  });

  it("applies the body rules through the interceptor: a stray {} is ignored, past 64 KiB is a 413", async () => {
    const post = (body: string) =>
      fetch(`https://agp.eu.hcompany.ai/api/v2/webhooks/${ID}/rotate`, {
        method: "POST",
        headers: { Authorization: "Bearer hk-test", "Content-Type": "application/json" },
        body,
      });
    expect((await post("{}")).status).toBe(200);
    const large = await post("x".repeat(70_000));
    expect([large.status, large.headers.get("x-mock-error")]).toEqual([413, "body-too-large"]);
  });

  it("is back to the examples after resetHandlers()", async () => {
    expect((await client.webhooks.rotateWebhookSecret({ webhookId: ID })).secret).toBe(EXAMPLE_SECRET);
  });
});
