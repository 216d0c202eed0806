// Honest outcomes at the edges of the wire, against real local servers: what cannot be sent is refused
// before anything leaves (a key or header value fetch would refuse, a TLS handshake or certificate that
// fails), and an answer with a malformed status line or header still arrives as the typed error of its
// status. Never a raw TypeError, never a byte of the key in a message.

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type CallOutcome,
  createRotateClient,
  HaiAgentsApiError,
  HaiAgentsClient,
  HaiAgentsConfigurationError,
  type HaiAgentsError,
  HaiAgentsNetworkError,
  isHaiAgentsError,
  UnauthorizedError,
} from "../../src/index.js";
import { type RawServer, startRawServer } from "../client/raw-server.js";
import { startTlsServer } from "../client/tls-server.js";
import { fakeFetch, json } from "../support/fake-fetch.js";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const PATH = "/api/v2/webhooks/{webhook_id}/rotate";
const KEY = "hk-wire-4f1c2d9e8b7a";
const params = { path: { webhook_id: WEBHOOK_ID } };

const failureOf = (call: Promise<unknown>) =>
  call.then(
    () => expect.fail("the call should have failed"),
    (error: unknown) => error as HaiAgentsError,
  );

function captureSync(run: () => unknown): HaiAgentsError {
  try {
    run();
  } catch (error) {
    return error as HaiAgentsError;
  }
  throw new Error("expected the call to throw");
}

function expectOutcome(
  error: unknown,
  type: abstract new (...args: never[]) => HaiAgentsError,
  outcome: CallOutcome,
) {
  expect(error).toBeInstanceOf(type);
  expect((error as HaiAgentsError).outcome).toBe(outcome);
}

let server: RawServer;
beforeEach(async () => {
  server = await startRawServer();
});
afterEach(async () => {
  await server.close();
});

describe("a key that cannot be sent is refused before anything leaves", () => {
  const unsendable: [string, string][] = [
    ["a zero-width space pasted inside it", "hk-wire\u200b4f1c2d9e8b7a"],
    ["a byte-order mark in front", "\ufeffhk-wire-4f1c2d9e8b7a"],
    ["a letter above U+00FF", "hk-wire-ключ-8b7a"],
    ["a Latin-1 letter (fetch would send it; no key has one)", "hk-wire-café-8b7a"],
    ["a line separator", "hk-wire-4f1c\u20282d9e8b7a"],
    ["a space inside", "hk-wire 4f1c2d9e8b7a"],
  ];

  it.each(unsendable)("given as the `token` option, with %s", (_, key) => {
    const error = captureSync(() => new HaiAgentsClient({ baseUrl: server.origin, token: key }));
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect((error as HaiAgentsConfigurationError).setting).toBe("apiKey");
    expect(error.message).toMatch(
      /The API key from the `token` option contains whitespace, a control character or a character outside ASCII/,
    );
    expect(error.message).not.toContain(key);
    expect(error).not.toBeInstanceOf(TypeError);
  });

  it.each(unsendable)("from HAI_API_KEY, with %s", (_, key) => {
    vi.stubEnv("HAI_API_KEY", key);
    const error = captureSync(() => new HaiAgentsClient({ baseUrl: server.origin }));
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect(error.message).toMatch(/^The API key from HAI_API_KEY contains/);
    expect(error.message).not.toContain(key);
  });

  it.each(unsendable)(
    "returned by a token function, with %s: refused per call, nothing sent",
    async (_, key) => {
      const client = new HaiAgentsClient({ baseUrl: server.origin, token: async () => key });
      const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
      expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
      expect(error.message).toMatch(/^The API key from the `token` function contains/);
      expect(error.message).not.toContain(key);
      expect(server.requests).toBe(0);
    },
  );

  it.each(unsendable)("given to the raw client as `apiKey`, with %s", (_, key) => {
    const error = captureSync(() => createRotateClient({ baseUrl: server.origin, apiKey: key }));
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect(error.message).toMatch(/^The API key from the `apiKey` option contains/);
  });

  it("any string at all: either sent exactly as `Bearer <key>`, or refused as not sent, never another error", async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 24 }), async (key) => {
        cases += 1;
        const transport = fakeFetch(json(200, {}));
        let outcome: unknown;
        try {
          const client = new HaiAgentsClient({
            token: key,
            fetch: transport.fetch,
            baseUrl: "http://127.0.0.1:1",
          });
          outcome = await client.webhooks
            .getWebhook({ webhookId: WEBHOOK_ID })
            .catch((error: unknown) => error);
        } catch (error) {
          outcome = error;
        }
        if (transport.requests.length === 1) {
          expect(transport.requests[0]?.headers.get("authorization")).toBe(`Bearer ${key}`);
          expect(key).toMatch(/^[\x21-\x7e]+$/);
        } else {
          expect(transport.requests).toHaveLength(0);
          expectOutcome(outcome, HaiAgentsConfigurationError, "not_sent");
          if (key.length >= 4) expect((outcome as Error).message).not.toContain(key);
        }
      }),
      { seed: 22, numRuns: 400 },
    );
    console.log(`keys: ${cases} generated cases (seed 22)`);
    expect(cases).toBe(400);
  });
});

describe("a header value that cannot be sent is refused before anything leaves, without quoting it", () => {
  const values: [string, string][] = [
    ["a zero-width space", "trace\u200bid"],
    ["a line break (header injection)", "trace\r\nX-Evil: 1"],
    ["a NUL", "trace\u0000id"],
    ["a DEL", "trace\u007fid"],
  ];

  it.each(values)("in the client's `headers` option: %s", (_, value) => {
    const error = captureSync(
      () => new HaiAgentsClient({ baseUrl: server.origin, token: KEY, headers: { "X-Trace": value } }),
    );
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect((error as HaiAgentsConfigurationError).setting).toBe("headers");
    expect(error.message).toMatch(/The value of the "X-Trace" header in the `headers` option cannot be sent/);
    expect(error.message).not.toContain(value);
  });

  it.each(values)("in a facade call's headers: %s", async (_, value) => {
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: KEY });
    const error = await failureOf(
      client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }, { headers: { "X-Trace": value } }),
    );
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect(error.message).toMatch(/in this call's headers cannot be sent/);
    expect(server.requests).toBe(0);
  });

  it.each(values)("in a raw call's headers and header parameters: %s", async (_, value) => {
    const raw = createRotateClient({ baseUrl: server.origin, apiKey: KEY });
    const fromHeaders = await failureOf(raw.POST(PATH, { params, headers: { "X-Trace": value } }));
    expectOutcome(fromHeaders, HaiAgentsConfigurationError, "not_sent");
    const fromParams = await failureOf(
      raw.POST(PATH, { params: { ...params, header: { "X-Trace": value } } as typeof params }),
    );
    expectOutcome(fromParams, HaiAgentsConfigurationError, "not_sent");
    expect(server.requests).toBe(0);
  });

  it("a header name that is not a token is refused without being echoed", () => {
    const error = captureSync(
      () => new HaiAgentsClient({ baseUrl: server.origin, token: KEY, headers: { "Bad Name": "x" } }),
    );
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect(error.message).toBe(
      "A header name in the `headers` option is not a valid HTTP token. Nothing was sent.",
    );
  });
});

describe("a TLS handshake or certificate that fails means nothing was sent", () => {
  it("a self-signed certificate (what a TLS-intercepting proxy presents), through the facade and the raw client", async () => {
    const tls = await startTlsServer();
    try {
      const client = new HaiAgentsClient({ baseUrl: tls.origin, token: KEY });
      const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
      expectOutcome(error, HaiAgentsNetworkError, "not_sent");
      expect(error.message).toMatch(
        /could not connect to .*SELF_SIGNED_CERT.*so nothing was sent.*TLS-intercepting proxy/,
      );
      const raw = createRotateClient({ baseUrl: tls.origin, apiKey: KEY });
      expectOutcome(await failureOf(raw.POST(PATH, { params })), HaiAgentsNetworkError, "not_sent");
      expect(tls.requests).toBe(0);
    } finally {
      await tls.close();
    }
  });

  it("https spoken to a plain-http port", async () => {
    const origin = server.origin.replace("http:", "https:");
    const client = new HaiAgentsClient({ baseUrl: origin, token: KEY });
    const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
    expectOutcome(error, HaiAgentsNetworkError, "not_sent");
    expect(error.message).toMatch(/ERR_SSL_/);
    expect(server.requests).toBe(0);
  });

  it("a connection closed during the handshake", async () => {
    const closer = createServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((resolve) => closer.listen(0, "127.0.0.1", resolve));
    try {
      const origin = `https://127.0.0.1:${(closer.address() as AddressInfo).port}`;
      const client = new HaiAgentsClient({ baseUrl: origin, token: KEY });
      const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
      expectOutcome(error, HaiAgentsNetworkError, "not_sent");
      expect(error.message).toMatch(/ECONNRESET: .*before secure TLS connection was established/);
    } finally {
      await new Promise<void>((resolve) => closer.close(() => resolve()));
    }
  });

  it.each([
    "CERT_HAS_EXPIRED",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
  ])("a transport failing with %s (as undici reports it)", async (code) => {
    const cause = Object.assign(new Error("certificate problem"), { code });
    const transport = fakeFetch(new TypeError("fetch failed", { cause }));
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: KEY, fetch: transport.fetch });
    const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
    expectOutcome(error, HaiAgentsNetworkError, "not_sent");
  });

  it("while a reset after the handshake, or an answer that is not HTTP, stays unknown", async () => {
    for (const [code, message] of [
      ["ECONNRESET", "read ECONNRESET"],
      ["HPE_INVALID_HEADER_TOKEN", "Response does not match the HTTP/1.1 protocol"],
      ["UND_ERR_SOCKET", "other side closed"],
    ]) {
      const cause = Object.assign(new Error(message), { code });
      const transport = fakeFetch(new TypeError("fetch failed", { cause }));
      const client = new HaiAgentsClient({ baseUrl: server.origin, token: KEY, fetch: transport.fetch });
      const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
      expectOutcome(error, HaiAgentsNetworkError, "unknown");
    }
  });
});

describe("a malformed answer still gives the typed error of its status", () => {
  const unauthorized = (line: string, extra = "") =>
    `${line}\r\nContent-Type: application/json\r\n${extra}Content-Length: 26\r\n\r\n{"message":"Unauthorized"}`;

  const malformed401: [string, string][] = [
    ["a space in a header name", unauthorized("HTTP/1.1 401 Unauthorized", "Bad Name: x\r\n")],
    ["a DEL in the reason phrase", unauthorized("HTTP/1.1 401 Unauth\u007forized")],
  ];

  it.each(malformed401)("401 with %s: refused (UnauthorizedError), sent once", async (_, bytes) => {
    server.answer(bytes);
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: KEY });
    const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
    expectOutcome(error, UnauthorizedError, "rejected");
    expect(error.statusCode).toBe(401);
    expect(error.message).toMatch(/Server said: "Unauthorized"/);
    expect(server.requests).toBe(1);
  });

  it.each(malformed401)(
    "401 with %s: a value in the raw client, the unsendable part left out",
    async (_, bytes) => {
      server.answer(bytes);
      const raw = createRotateClient({ baseUrl: server.origin, apiKey: KEY });
      const { data, error, response } = await raw.POST(PATH, { params });
      expect(data).toBeUndefined();
      expect(error).toEqual({ message: "Unauthorized" });
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect([...response.headers.keys()]).not.toContain("bad name");
      expect(response.statusText).toMatch(/^(Unauthorized|)$/);
    },
  );

  it.each([600, 799, 999])(
    "status %i, outside HTTP's range: an unknown outcome carrying it",
    async (status) => {
      server.answer(`HTTP/1.1 ${status} Odd\r\nContent-Length: 2\r\n\r\n{}`);
      const client = new HaiAgentsClient({ baseUrl: server.origin, token: KEY });
      const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
      expectOutcome(error, HaiAgentsApiError, "unknown");
      expect(error.statusCode).toBe(status);
      expect(error.message).toMatch(
        new RegExp(
          `answered with status ${status}, which HTTP does not define.*may or may not have been rotated`,
        ),
      );
      const raw = createRotateClient({ baseUrl: server.origin, apiKey: KEY });
      const fromRaw = await failureOf(raw.POST(PATH, { params }));
      expectOutcome(fromRaw, HaiAgentsApiError, "unknown");
      expect(fromRaw.statusCode).toBe(status);
      expect(server.requests).toBe(2);
    },
  );

  it("a header value fetch cannot parse hides the status: unknown, sent once, typed", async () => {
    server.answer(`HTTP/1.1 401 Unauthorized\r\nX-Odd: a\u0001b\r\nContent-Length: 2\r\n\r\n{}`);
    const client = new HaiAgentsClient({ baseUrl: server.origin, token: KEY });
    const error = await failureOf(client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }));
    expectOutcome(error, HaiAgentsNetworkError, "unknown");
    expect(isHaiAgentsError(error)).toBe(true);
    expect(server.requests).toBe(1);
  });
});

afterAll(() => {
  vi.unstubAllEnvs();
});
