// A server that echoes the key (and a secret) back in every form it can: the key must not survive in
// any error field, in the cause chain, or in util.inspect / JSON.stringify of the error or the client.
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createRotateClient,
  HaiAgentsClient,
  type HaiAgentsError,
  HaiAgentsNetworkError,
  HaiAgentsRedirectError,
  type UnprocessableEntityError,
} from "../../src/index.js";
import { type LocalServer, sendJson, startServer } from "../client/local-server.js";
import { fakeFetch } from "../support/fake-fetch.js";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const SECRET = "whsec_k3TQyhq2mPv8WdJ4cN7xLbR9sF1aZ6uE0gYoHiC5jXw";
/** Shaped like a platform key, with characters that URL-encoding changes. */
const HK_KEY = "hk-Red+act/Me=42xyz";
/** Shaped like nothing in particular: only the exact value the client sent can catch it. */
const PLAIN_KEY = "Sesame.Open/Key+1234";

/** Every spelling of `value` that must not appear in anything a caller can print. */
function forms(value: string): string[] {
  return [value, value.toUpperCase(), encodeURIComponent(value), encodeURIComponent(value).toLowerCase()];
}

function everythingShown(error: HaiAgentsError): string {
  return [
    error.message,
    String(error.stack),
    JSON.stringify(error),
    JSON.stringify(error.body),
    JSON.stringify((error as Partial<UnprocessableEntityError>).issues ?? null),
    String((error as { requestId?: string }).requestId),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
  ].join("\n");
}

function expectNoneOf(shown: string, ...values: string[]) {
  const haystack = shown.toLowerCase();
  for (const value of values) {
    for (const form of forms(value)) expect(haystack, `leaked as ${form}`).not.toContain(form.toLowerCase());
  }
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = { level: value };
  return value;
}

/** The echoes a hostile or careless server can make of the key it was sent. */
function echoes(key: string): Record<string, (response: ServerResponse) => void> {
  const bearer = `Bearer ${key}`;
  return {
    "401 message, as sent": (response) => sendJson(response, 401, { message: `rejected ${bearer}` }),
    "404 detail, upper-case": (response) => sendJson(response, 404, { detail: bearer.toUpperCase() }),
    "404 detail, URL-encoded": (response) => sendJson(response, 404, { detail: encodeURIComponent(bearer) }),
    "404 detail, glued to other text": (response) => sendJson(response, 404, { detail: `token${key}tail` }),
    "404 body, the key as an object key": (response) =>
      sendJson(response, 404, { detail: "x", seen: { [key]: true, [key.toUpperCase()]: 1 } }),
    "404 body, nested 40 levels deep": (response) =>
      sendJson(response, 404, { detail: "x", deep: nested(40, key) }),
    "422 issues: msg, input, loc and ctx": (response) =>
      sendJson(response, 422, {
        detail: [{ loc: ["header", key], msg: `bad ${bearer}`, type: "t", input: key, ctx: { [key]: key } }],
      }),
    "500 plain text": (response) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`upstream said ${encodeURIComponent(bearer)} and ${SECRET}`);
    },
    "X-Request-Id header": (response) =>
      sendJson(
        response,
        404,
        { detail: "x" },
        { "x-request-id": `req-${encodeURIComponent(key)}-${SECRET}` },
      ),
    "a 2xx body that is not JSON": (response) => response.end(`{"secret":"${SECRET}","echo":"${key}"`),
  };
}

let server: LocalServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe.each([
  ["a platform-shaped key", HK_KEY, HK_KEY],
  ["any other key", PLAIN_KEY, PLAIN_KEY],
  ["a key from a token function", PLAIN_KEY, async () => PLAIN_KEY],
])("%s echoed back by the server", (_, key, token) => {
  for (const [echo, answer] of Object.entries(echoes(key))) {
    it(`is absent from every field, inspect and JSON: ${echo}`, async () => {
      server.answer((_, response) => answer(response));
      const client = new HaiAgentsClient({ baseUrl: server.origin, token });
      const error = (await client.webhooks
        .rotateWebhookSecret({ webhookId: WEBHOOK_ID })
        .catch((e: unknown) => e)) as HaiAgentsError;
      expect(error.outcome).toBeDefined();
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
      const shown = everythingShown(error);
      expectNoneOf(shown, key, SECRET);
      // The echo was kept and scrubbed (a 2xx body is never kept: there is nothing to scrub).
      if (!echo.startsWith("a 2xx")) expect(shown).toMatch(/\[redacted/);
    });
  }
});

describe("other places a key can travel back", () => {
  it("a redirect whose Location host carries a key-shaped label names the origin without it", async () => {
    server.answer((_, response) => {
      response.writeHead(307, { location: "https://hk-leaked-4f1c2d9e.example.com/rotate?key=x" });
      response.end();
    });
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: HK_KEY });
    const error = (await client.webhooks
      .rotateWebhookSecret({ webhookId: WEBHOOK_ID })
      .catch((e: unknown) => e)) as HaiAgentsRedirectError;
    expect(error).toBeInstanceOf(HaiAgentsRedirectError);
    expect(error.locationOrigin).toBe("https://[redacted]");
    expectNoneOf(everythingShown(error), "hk-leaked-4f1c2d9e", HK_KEY);
  });

  it("a transport error whose cause chain holds the key in messages and own properties", async () => {
    const inner = Object.assign(new Error(`connect to ${PLAIN_KEY} failed`), {
      code: "ECONNRESET",
      location: `https://example.com/?auth=${encodeURIComponent(PLAIN_KEY)}`,
      headers: { authorization: `Bearer ${PLAIN_KEY}`, [PLAIN_KEY]: "x" },
      cause: new Error(`deeper: ${PLAIN_KEY.toUpperCase()}`),
    });
    const transport = fakeFetch(new TypeError("fetch failed", { cause: inner }));
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: PLAIN_KEY, fetch: transport.fetch });
    const error = (await client.webhooks
      .rotateWebhookSecret({ webhookId: WEBHOOK_ID })
      .catch((e: unknown) => e)) as HaiAgentsError;
    expect(error).toBeInstanceOf(HaiAgentsNetworkError);
    const cause = error.cause as Error & { cause: Error & { code: string; cause: Error } };
    expect(cause).toBeInstanceOf(TypeError);
    expect(cause.cause.code).toBe("ECONNRESET"); // the diagnosis survives, the key does not
    expect(cause.cause.cause.message).toBe("deeper: [redacted]");
    expectNoneOf(everythingShown(error), PLAIN_KEY);
  });

  it("the raw client's errors are scrubbed the same way", async () => {
    server.answer((_, response) => response.end(`{"echo":"${PLAIN_KEY}"`));
    const raw = createRotateClient({ baseUrl: server.origin, apiKey: PLAIN_KEY });
    const error = (await raw
      .POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id: WEBHOOK_ID } } })
      .catch((e: unknown) => e)) as HaiAgentsError;
    expect(error.outcome).toBe("secret_lost");
    expectNoneOf(everythingShown(error), PLAIN_KEY);
  });

  it("neither client shows its key when inspected or serialised", () => {
    for (const client of [
      new HaiAgentsClient({ baseUrl: server.origin, token: PLAIN_KEY }),
      createRotateClient({ baseUrl: server.origin, apiKey: PLAIN_KEY }),
    ]) {
      const shown = `${inspect(client, { depth: Number.POSITIVE_INFINITY, showHidden: true })}\n${JSON.stringify(client)}`;
      expectNoneOf(shown, PLAIN_KEY);
    }
  });
});
