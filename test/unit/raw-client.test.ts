import { describe, expect, it } from "vitest";
import { createRotateClient, InvalidWebhookIdError } from "../../src/index.js";
import { fakeFetch, json } from "../support/fake-fetch.js";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const PATH = "/api/v2/webhooks/{webhook_id}/rotate";

describe("the raw typed client", () => {
  it("returns HTTP failures as values: a 404 is { error } with the documented body, nothing thrown", async () => {
    const transport = fakeFetch(json(404, { detail: "Webhook not found" }));
    const client = createRotateClient({
      baseUrl: "http://127.0.0.1:1",
      apiKey: "hk-raw",
      fetch: transport.fetch,
    });
    const { data, error, response } = await client.POST(PATH, {
      params: { path: { webhook_id: WEBHOOK_ID } },
    });
    expect(data).toBeUndefined();
    expect(error).toEqual({ detail: "Webhook not found" });
    expect(response.status).toBe(404);
    expect(transport.requests[0]?.url).toBe(`http://127.0.0.1:1/api/v2/webhooks/${WEBHOOK_ID}/rotate`);
    expect(transport.requests[0]?.headers.get("authorization")).toBe("Bearer hk-raw");
  });

  it("sends no Authorization header when no key is given, so a 401 can be provoked on purpose", async () => {
    const transport = fakeFetch(json(401, { message: "Unauthorized" }));
    const client = createRotateClient({ baseUrl: "http://127.0.0.1:1", fetch: transport.fetch });
    const { error } = await client.POST(PATH, { params: { path: { webhook_id: WEBHOOK_ID } } });
    expect(error).toEqual({ message: "Unauthorized" });
    expect(transport.requests[0]?.headers.has("authorization")).toBe(false);
  });

  it("keeps an Authorization header the caller set explicitly", async () => {
    const transport = fakeFetch(json(200, {}));
    const client = createRotateClient({
      baseUrl: "http://127.0.0.1:1",
      apiKey: "hk-default",
      fetch: transport.fetch,
    });
    await client.POST(PATH, {
      params: { path: { webhook_id: WEBHOOK_ID } },
      headers: { Authorization: "Bearer hk-other" },
    });
    expect(transport.requests[0]?.headers.get("authorization")).toBe("Bearer hk-other");
  });

  it("refuses a malformed webhook_id before sending, unless the guard is turned off to test the API's 422", async () => {
    const guarded = fakeFetch(json(422, {}));
    const client = createRotateClient({ baseUrl: "http://127.0.0.1:1", fetch: guarded.fetch });
    await expect(
      client.POST(PATH, { params: { path: { webhook_id: "not-a-uuid" } } }),
    ).rejects.toBeInstanceOf(InvalidWebhookIdError);
    expect(guarded.requests).toHaveLength(0);

    const unguarded = fakeFetch(json(422, { detail: [] }));
    const raw = createRotateClient({
      baseUrl: "http://127.0.0.1:1",
      fetch: unguarded.fetch,
      validateWebhookId: false,
    });
    const { response } = await raw.POST(PATH, { params: { path: { webhook_id: "not-a-uuid" } } });
    expect(response.status).toBe(422);
    expect(unguarded.requests[0]?.url).toBe("http://127.0.0.1:1/api/v2/webhooks/not-a-uuid/rotate");
  });

  it("rethrows an error from the caller's own middleware as it is, not as a verdict on the response", async () => {
    const transport = fakeFetch(json(200, { id: WEBHOOK_ID, secret: "whsec_x" }));
    const client = createRotateClient({
      baseUrl: "http://127.0.0.1:1",
      apiKey: "hk-raw",
      fetch: transport.fetch,
    });
    const mine = new Error("my middleware refused it");
    client.use({
      onResponse() {
        throw mine;
      },
    });
    await expect(client.POST(PATH, { params: { path: { webhook_id: WEBHOOK_ID } } })).rejects.toBe(mine);
  });
});
