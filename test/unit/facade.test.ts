import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  HaiAgentsApiError,
  HaiAgentsClient,
  HaiAgentsConfigurationError,
  HaiAgentsEnvironment,
  HaiAgentsError,
  HaiAgentsNetworkError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  NotFoundError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "../../src/index.js";
import { fakeFetch, hangingFetch, json } from "../support/fake-fetch.js";
import { specExample } from "../support/spec.js";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const KEY = "hk-test-4f1c2d9e8b7a";
/** The spec's rotate example (the reference page's response), for the webhook WEBHOOK_ID. */
const ROTATED = specExample<{ id: string; secret: string }>("RotatedWebhook");
const SECRET = ROTATED.secret;

beforeEach(() => {
  vi.stubEnv("HAI_API_KEY", KEY);
  vi.stubEnv("H_API_KEY", "");
  vi.stubEnv("HAI_BASE_URL", "");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function rotateWith(...replies: Parameters<typeof fakeFetch>) {
  const transport = fakeFetch(...replies);
  const client = new HaiAgentsClient({ fetch: transport.fetch });
  const outcome = await client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  return { ...outcome, requests: transport.requests };
}

describe("rotating through the SDK-shaped facade", () => {
  it("sends one POST with the key from HAI_API_KEY to the Europe host and returns the new secret", async () => {
    const { value, requests } = await rotateWith(json(200, ROTATED));
    expect(value?.secret).toBe(SECRET);
    expect(value?.id).toBe(WEBHOOK_ID);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.url).toBe(`https://agp.eu.hcompany.ai/api/v2/webhooks/${WEBHOOK_ID}/rotate`);
    expect(requests[0]?.headers.get("authorization")).toBe(`Bearer ${KEY}`);
  });

  it("sends no request body", async () => {
    let bodyText: string | undefined;
    const transport = fakeFetch(async (request) => {
      bodyText = await request.text();
      return json(200, ROTATED);
    });
    await new HaiAgentsClient({ fetch: transport.fetch }).webhooks.rotateWebhookSecret({
      webhookId: WEBHOOK_ID,
    });
    expect(bodyText).toBe("");
  });

  it("goes to HAI_BASE_URL when it is set, so the seed example can target the mock", async () => {
    vi.stubEnv("HAI_BASE_URL", "http://127.0.0.1:4010/");
    const { requests } = await rotateWith(json(200, ROTATED));
    expect(requests[0]?.url).toBe(`http://127.0.0.1:4010/api/v2/webhooks/${WEBHOOK_ID}/rotate`);
  });

  it("lets an explicit environment or baseUrl win over HAI_BASE_URL", async () => {
    vi.stubEnv("HAI_BASE_URL", "http://127.0.0.1:4010");
    const us = fakeFetch(json(200, ROTATED));
    await new HaiAgentsClient({
      environment: HaiAgentsEnvironment.Us,
      fetch: us.fetch,
    }).webhooks.rotateWebhookSecret({
      webhookId: WEBHOOK_ID,
    });
    expect(us.requests[0]?.url).toBe(`https://agp.hcompany.ai/api/v2/webhooks/${WEBHOOK_ID}/rotate`);

    const custom = fakeFetch(json(200, ROTATED));
    await new HaiAgentsClient({
      baseUrl: "http://localhost:9999",
      environment: HaiAgentsEnvironment.Us,
      fetch: custom.fetch,
    }).webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID });
    expect(custom.requests[0]?.url).toBe(`http://localhost:9999/api/v2/webhooks/${WEBHOOK_ID}/rotate`);
  });

  it("prefers an explicit token, and accepts a function that supplies it per request", async () => {
    const fixed = fakeFetch(json(200, ROTATED));
    await new HaiAgentsClient({ token: "hk-explicit", fetch: fixed.fetch }).webhooks.rotateWebhookSecret({
      webhookId: WEBHOOK_ID,
    });
    expect(fixed.requests[0]?.headers.get("authorization")).toBe("Bearer hk-explicit");

    const supplied = fakeFetch(json(200, ROTATED));
    await new HaiAgentsClient({
      token: async () => "hk-from-vault",
      fetch: supplied.fetch,
    }).webhooks.rotateWebhookSecret({
      webhookId: WEBHOOK_ID,
    });
    expect(supplied.requests[0]?.headers.get("authorization")).toBe("Bearer hk-from-vault");
  });

  it("uses the global fetch that is in place at call time, not at construction", async () => {
    const client = new HaiAgentsClient();
    const transport = fakeFetch(json(200, ROTATED));
    vi.stubGlobal("fetch", transport.fetch);
    try {
      await client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(transport.requests).toHaveLength(1);
  });
});

describe("configuration problems are caught before any request", () => {
  it("names HAI_API_KEY when no key is configured", () => {
    vi.stubEnv("HAI_API_KEY", "");
    expect(() => new HaiAgentsClient()).toThrowError(HaiAgentsConfigurationError);
    expect(() => new HaiAgentsClient()).toThrowError(/Set the HAI_API_KEY environment variable/);
  });

  it("falls back to the legacy H_API_KEY variable", async () => {
    vi.stubEnv("HAI_API_KEY", "");
    vi.stubEnv("H_API_KEY", "hk-legacy");
    const transport = fakeFetch(json(200, ROTATED));
    await new HaiAgentsClient({ fetch: transport.fetch }).webhooks.rotateWebhookSecret({
      webhookId: WEBHOOK_ID,
    });
    expect(transport.requests[0]?.headers.get("authorization")).toBe("Bearer hk-legacy");
  });

  it("rejects a key with a trailing newline without repeating the key", () => {
    vi.stubEnv("HAI_API_KEY", `${KEY}\n`);
    const error = captureSync(() => new HaiAgentsClient());
    expect(error).toBeInstanceOf(HaiAgentsConfigurationError);
    expect((error as HaiAgentsConfigurationError).setting).toBe("apiKey");
    expect(String((error as Error).message)).toMatch(/whitespace/);
    expect(String((error as Error).message)).not.toContain(KEY);
  });

  it.each([
    ["not a URL", "agp.eu.hcompany.ai"],
    ["another scheme", "ftp://agp.eu.hcompany.ai"],
    ["credentials in the URL", "https://user:pw@agp.eu.hcompany.ai"],
    ["a doubled /api/v2 prefix", "https://agp.eu.hcompany.ai/api/v2"],
  ])("rejects a base URL with %s", (_, baseUrl) => {
    const error = captureSync(() => new HaiAgentsClient({ baseUrl }));
    expect(error).toBeInstanceOf(HaiAgentsConfigurationError);
    expect((error as HaiAgentsConfigurationError).setting).toBe("baseUrl");
  });

  it("rejects a non-positive timeout", () => {
    expect(() => new HaiAgentsClient({ timeoutInSeconds: 0 })).toThrowError(/timeoutInSeconds/);
  });

  it.each([
    ["an empty id", ""],
    ["a word", "nope"],
    ["a UUID without hyphens", "f47ac10b58cc4372a5670e02b2c3d479"],
    ["a UUID with a path appended", `${WEBHOOK_ID}/../../admin`],
    ["a UUID with surrounding spaces", ` ${WEBHOOK_ID} `],
  ])("refuses %s with a message naming the expected format, sending nothing", async (_, webhookId) => {
    const transport = fakeFetch(json(200, ROTATED));
    const client = new HaiAgentsClient({ fetch: transport.fetch });
    const error = await client.webhooks.rotateWebhookSecret({ webhookId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidWebhookIdError);
    expect((error as Error).message).toMatch(
      /must be the webhook's UUID, like "f47ac10b-58cc-4372-a567-0e02b2c3d479"/,
    );
    expect(transport.requests).toHaveLength(0);
  });

  it("does not echo a credential passed as the webhook id", async () => {
    const client = new HaiAgentsClient({ fetch: fakeFetch().fetch });
    const error = await client.webhooks.rotateWebhookSecret({ webhookId: SECRET }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidWebhookIdError);
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).toMatch(/looks like a credential/);
  });

  it("refuses a missing request object the way a JavaScript caller could send it", async () => {
    const client = new HaiAgentsClient({ fetch: fakeFetch().fetch });
    const call = (client.webhooks.rotateWebhookSecret as (request?: unknown) => Promise<unknown>)();
    await expect(call).rejects.toBeInstanceOf(InvalidWebhookIdError);
  });
});

describe("failed responses become typed errors", () => {
  it("401 from the gateway is an UnauthorizedError carrying its {message} body", async () => {
    const { error } = await rotateWith(json(401, { message: "Unauthorized" }));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ statusCode: 401, body: { message: "Unauthorized" } });
    expect((error as Error).message).toMatch(/API key is missing or not valid.*Server said: "Unauthorized"/);
  });

  it("404 is a NotFoundError that names the id and says nothing was rotated", async () => {
    const { error } = await rotateWith(
      json(404, { detail: "Webhook not found" }, { "x-request-id": "req_123" }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({
      statusCode: 404,
      body: { detail: "Webhook not found" },
      requestId: "req_123",
    });
    expect((error as Error).message).toContain(`Webhook ${WEBHOOK_ID} was not found`);
    expect((error as Error).message).toContain("Nothing was rotated");
    expect((error as Error).message).toContain("Request id: req_123");
  });

  it("422 is an UnprocessableEntityError listing each validation issue", async () => {
    const body = {
      detail: [
        {
          loc: ["path", "webhook_id"],
          msg: "Input should be a valid UUID",
          type: "uuid_parsing",
          input: "x",
        },
      ],
    };
    const { error } = await rotateWith(json(422, body));
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect((error as UnprocessableEntityError).issues).toEqual(body.detail);
    expect((error as Error).message).toContain("path.webhook_id: Input should be a valid UUID");
  });

  it("an undocumented status is a plain HaiAgentsApiError, with an HTML body reduced to text", async () => {
    const { error } = await rotateWith(new Response("<html>Bad gateway</html>", { status: 502 }));
    expect(error).toBeInstanceOf(HaiAgentsApiError);
    expect(error).not.toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ statusCode: 502, body: "<html>Bad gateway</html>" });
  });

  it("every failure is a HaiAgentsError, as with the official SDK", async () => {
    for (const status of [401, 404, 422, 500]) {
      const { error } = await rotateWith(json(status, { detail: "x" }));
      expect(error).toBeInstanceOf(HaiAgentsError);
      expect((error as HaiAgentsError).statusCode).toBe(status);
    }
  });
});

describe("a rotate is never retried", () => {
  it.each([408, 429, 500, 502, 503, 504])(
    "makes exactly one attempt when the answer is %i",
    async (status) => {
      const { error, requests } = await rotateWith(json(status, { detail: "try later" }), json(200, ROTATED));
      expect(error).toBeInstanceOf(HaiAgentsApiError);
      expect(requests).toHaveLength(1);
    },
  );

  it("reports a network failure as HaiAgentsNetworkError after one attempt, saying the outcome is unknown", async () => {
    const { error, requests } = await rotateWith(new TypeError("fetch failed"), json(200, ROTATED));
    expect(error).toBeInstanceOf(HaiAgentsNetworkError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/may or may not have been rotated/);
    expect(requests).toHaveLength(1);
  });

  it("reports a hung request as HaiAgentsTimeoutError after one attempt", async () => {
    const transport = hangingFetch();
    const client = new HaiAgentsClient({ fetch: transport.fetch, timeoutInSeconds: 0.05 });
    const error = await client.webhooks
      .rotateWebhookSecret({ webhookId: WEBHOOK_ID })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaiAgentsTimeoutError);
    expect(error).not.toBeInstanceOf(HaiAgentsNetworkError);
    expect((error as HaiAgentsTimeoutError).timeoutInSeconds).toBe(0.05);
    expect(transport.calls()).toBe(1);
  });

  it("lets a per-request timeout override the client's", async () => {
    const transport = hangingFetch();
    const client = new HaiAgentsClient({ fetch: transport.fetch, timeoutInSeconds: 600 });
    const error = await client.webhooks
      .rotateWebhookSecret({ webhookId: WEBHOOK_ID }, { timeoutInSeconds: 0.05 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaiAgentsTimeoutError);
  });

  it("rethrows the caller's own abort reason instead of calling it a timeout", async () => {
    const transport = hangingFetch();
    const client = new HaiAgentsClient({ fetch: transport.fetch });
    const controller = new AbortController();
    const reason = new Error("user navigated away");
    const pending = client.webhooks.rotateWebhookSecret(
      { webhookId: WEBHOOK_ID },
      { abortSignal: controller.signal },
    );
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});

describe("a success that cannot be read", () => {
  it("does not leak the secret when the 200 body is not JSON", async () => {
    const { error } = await rotateWith(new Response(`{"secret":"${SECRET}"`, { status: 200 }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toMatch(/not JSON.*Rotate again/);
    expect(inspect(error)).not.toContain(SECRET);
  });

  it("fails loudly when the 200 body has no secret", async () => {
    const { secret: _dropped, ...withoutSecret } = ROTATED;
    const { error } = await rotateWith(json(200, withoutSecret));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as Error).message).toContain("no `secret`");
  });
});

describe("credentials stay out of errors and logs", () => {
  it("never shows the API key or a secret in any error, even when the server echoes them", async () => {
    const echoes = [
      json(401, { message: `Key ${KEY} is revoked` }),
      json(404, { detail: `No webhook; your secret ${SECRET} is wrong` }),
      json(500, { detail: `Authorization: Bearer ${KEY}` }),
      new TypeError(`connect failed for Bearer ${KEY}`),
    ];
    for (const reply of echoes) {
      const { error } = await rotateWith(reply);
      const shown = `${inspect(error)} ${(error as Error).message}`;
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain(SECRET);
      expect(shown).toContain("[redacted]");
    }
  });

  it("does not expose the key on the client object", () => {
    const client = new HaiAgentsClient({ token: KEY });
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(client)).not.toContain(KEY);
  });
});

function captureSync(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
