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
import { startRawServer } from "../client/raw-server.js";
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
  // Decoded too, so a key with only some characters percent-encoded is still found.
  const decoded = shown.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
  const haystack = `${shown}\n${decoded}`.toLowerCase();
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
    "404 detail, only some characters percent-encoded": (response) =>
      sendJson(response, 404, { detail: key.replace("/", "%2f") }),
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
  ["a platform-shaped key", HK_KEY, { token: HK_KEY }, {}],
  ["any other key", PLAIN_KEY, { token: PLAIN_KEY }, {}],
  ["a key from a token function", PLAIN_KEY, { token: async () => PLAIN_KEY }, {}],
  [
    "a key in the client's `headers` option",
    PLAIN_KEY,
    { token: "hk-placeholder-unused", headers: { Authorization: `Bearer ${PLAIN_KEY}` } },
    {},
  ],
  [
    "a key in one call's headers",
    PLAIN_KEY,
    { token: "hk-placeholder-unused" },
    { headers: { authorization: `Bearer ${PLAIN_KEY}` } },
  ],
])("%s echoed back by the server", (_, key, options, perCall) => {
  for (const [echo, answer] of Object.entries(echoes(key))) {
    it(`is absent from every field, inspect and JSON: ${echo}`, async () => {
      server.answer((_, response) => answer(response));
      const client = new HaiAgentsClient({ baseUrl: server.origin, ...options });
      const error = (await client.webhooks
        .rotateWebhookSecret({ webhookId: WEBHOOK_ID }, perCall)
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

  it("a key pasted as the webhook id is not echoed, whatever its shape", async () => {
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: PLAIN_KEY });
    const error = (await client.webhooks
      .rotateWebhookSecret({ webhookId: PLAIN_KEY })
      .catch((e: unknown) => e)) as HaiAgentsError;
    expect(error.message).toMatch(/looks like a credential/);
    expectNoneOf(everythingShown(error), PLAIN_KEY);
    expect(server.requests).toHaveLength(0);
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

describe("no error keeps bytes the server sent", () => {
  // A 200 whose body stops right after `"secret":"whsec_`, the rest of the secret still on the wire in
  // some shapes: nothing of that rest may survive in the error, its causes, inspect or JSON.
  const body = `{"id":"${WEBHOOK_ID}","secret":"${SECRET}"}`;
  const cut = body.indexOf("whsec_") + "whsec_".length;
  const rest = SECRET.slice("whsec_".length);
  const shapes: Record<string, string> = {
    "Content-Length promises more, then the connection closes": `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 40}\r\n\r\n${body.slice(0, cut)}`,
    "a chunk cut short, the rest following a broken chunk size (the parser keeps it)": `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${cut.toString(16)}\r\n${body.slice(0, cut)}\r\nzz\r\n${body.slice(cut)}`,
    "a chunk longer than what is sent": `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${(body.length + 40).toString(16)}\r\n${body}`,
  };

  for (const [shape, bytes] of Object.entries(shapes)) {
    it(`a rotate answer cut after the secret's prefix: ${shape}`, async () => {
      const raw = await startRawServer((socket) => {
        socket.write(Buffer.from(bytes, "latin1"));
        setTimeout(() => socket.destroy(), 30);
      });
      try {
        const client = new HaiAgentsClient({ baseUrl: raw.origin, token: PLAIN_KEY });
        const error = (await client.webhooks
          .rotateWebhookSecret({ webhookId: WEBHOOK_ID })
          .catch((e: unknown) => e)) as HaiAgentsError;
        expect(error.outcome).toBe("secret_lost");
        const shown = everythingShown(error);
        // Any 8 characters in a row of what followed the prefix would be a leak.
        for (let start = 0; start + 8 <= rest.length; start += 1) {
          expect(shown).not.toContain(rest.slice(start, start + 8));
        }
        expectNoneOf(shown, PLAIN_KEY);
      } finally {
        await raw.close();
      }
    });
  }
});

describe("the missing-key message reads right in a program and in a shell", () => {
  it("names the variable and the option, with its own hint intact", () => {
    const saved = { HAI_API_KEY: process.env.HAI_API_KEY, H_API_KEY: process.env.H_API_KEY };
    delete process.env.HAI_API_KEY;
    delete process.env.H_API_KEY;
    try {
      const error = (() => {
        try {
          new HaiAgentsClient({ baseUrl: server.origin });
        } catch (e) {
          return e as HaiAgentsError;
        }
        throw new Error("expected the constructor to throw");
      })();
      expect(error.outcome).toBe("not_sent");
      expect(error.message).toBe(
        "No API key found. Set the HAI_API_KEY environment variable to your platform API key (it starts with " +
          "hk-); a program can pass it as the client's `token` option instead. Nothing was sent.",
      );
    } finally {
      for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
    }
  });
});
