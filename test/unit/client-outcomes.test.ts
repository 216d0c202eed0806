// Each outcome a call can have, produced by the failure that causes it, against a real local server:
// redirects (never followed), timeouts (refused before sending when out of range), refused or broken
// connections, statuses, and 2xx bodies that are cut, stalled or too big.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type CallOutcome,
  createRotateClient,
  HaiAgentsApiError,
  HaiAgentsClient,
  HaiAgentsConfigurationError,
  type HaiAgentsError,
  HaiAgentsNetworkError,
  HaiAgentsRedirectError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  MAX_RESPONSE_BYTES,
  NotFoundError,
  SecretNotReceivedError,
  UnauthorizedError,
  UnexpectedResponseError,
  UnprocessableEntityError,
} from "../../src/index.js";
import { type LocalServer, sendJson, startServer } from "../client/local-server.js";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const ROTATE_PATH = `/api/v2/webhooks/${WEBHOOK_ID}/rotate`;
const KEY = "hk-outcome-4f1c2d9e8b7a";
const SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";
const ROTATED = {
  id: WEBHOOK_ID,
  url: "https://example.com/hooks/h",
  enabled_events: ["*"],
  description: null,
  disabled: false,
  created_at: "2026-06-11T15:04:05Z",
  updated_at: "2026-07-02T09:00:00Z",
  secret: SECRET,
};

let api: LocalServer;
let elsewhere: LocalServer;
beforeEach(async () => {
  api = await startServer((_, response) => sendJson(response, 200, ROTATED));
  elsewhere = await startServer((_, response) =>
    sendJson(response, 200, { ...ROTATED, secret: "whsec_attacker" }),
  );
});
afterEach(async () => {
  await api.close();
  await elsewhere.close();
});

async function rotate(options: { timeoutInSeconds?: number; token?: unknown } = {}, perCall = {}) {
  const client = new HaiAgentsClient({
    baseUrl: api.origin,
    token: (options.token ?? KEY) as string,
    ...(options.timeoutInSeconds ? { timeoutInSeconds: options.timeoutInSeconds } : {}),
  });
  return client.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }, perCall).then(
    () => expect.fail("the rotate should have failed"),
    (error: unknown) => error as HaiAgentsError,
  );
}

function expectOutcome(
  error: unknown,
  type: abstract new (...args: never[]) => HaiAgentsError,
  outcome: CallOutcome,
) {
  expect(error).toBeInstanceOf(type);
  expect((error as HaiAgentsError).outcome).toBe(outcome);
}

describe("a redirect is never followed: one request, a typed error, no secret taken from it", () => {
  const statuses = [301, 302, 303, 307, 308];
  const targets = {
    "the same URL (a loop)": () => `${api.origin}${ROTATE_PATH}`,
    "another path on the same origin": () => `${api.origin}/elsewhere/rotate?k=1`,
    "another origin": () => `${elsewhere.origin}${ROTATE_PATH}?token=x#frag`,
  };
  for (const status of statuses) {
    for (const [where, location] of Object.entries(targets)) {
      it(`${status} to ${where}, through the facade and the raw client`, async () => {
        api.answer((_, response) => {
          response.writeHead(status, { location: location(), "content-type": "application/json" });
          response.end(JSON.stringify(ROTATED));
        });
        const fromFacade = await rotate();
        expectOutcome(fromFacade, HaiAgentsRedirectError, "rejected");
        const redirect = fromFacade as HaiAgentsRedirectError;
        expect(redirect.status).toBe(status);
        expect(redirect.locationOrigin).toBe(new URL(location()).origin);
        expect(redirect.message).toContain(`HTTP ${status} to ${new URL(location()).origin}.`);
        expect(redirect.message).toMatch(/not followed/);
        expect(redirect.message).not.toMatch(/elsewhere|token=|frag/);

        const raw = createRotateClient({ baseUrl: api.origin, apiKey: KEY });
        const fromRaw = await raw
          .POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id: WEBHOOK_ID } } })
          .catch((error: unknown) => error);
        expectOutcome(fromRaw, HaiAgentsRedirectError, "rejected");

        expect(api.requests).toHaveLength(2); // one per client, none followed
        expect(api.requests.every((request) => request.method === "POST")).toBe(true);
        expect(elsewhere.requests).toHaveLength(0);
      });
    }
  }

  it("a per-call `redirect: follow` in the raw client is overridden, not obeyed", async () => {
    api.answer((_, response) => {
      response.writeHead(307, { location: `${elsewhere.origin}${ROTATE_PATH}` });
      response.end();
    });
    const raw = createRotateClient({ baseUrl: api.origin, apiKey: KEY });
    const error = await raw
      .POST("/api/v2/webhooks/{webhook_id}/rotate", {
        params: { path: { webhook_id: WEBHOOK_ID } },
        redirect: "follow",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HaiAgentsRedirectError);
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe("timeouts are checked before anything is sent", () => {
  const outOfRange: [string, unknown][] = [
    ["zero", 0],
    ["negative", -5],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["beyond what a timer holds (3e6 s)", 3e6],
    ["just past 2^31-1 ms", 2147483.648],
    ["a string", "5"],
  ];

  it.each(outOfRange)("the client refuses a timeout that is %s", (_, timeoutInSeconds) => {
    const build = () =>
      new HaiAgentsClient({ baseUrl: api.origin, token: KEY, timeoutInSeconds: timeoutInSeconds as number });
    expect(build).toThrowError(HaiAgentsConfigurationError);
    expect(build).toThrowError(
      /timeoutInSeconds must be a number of seconds above 0 and at most 2147483\.647/,
    );
    const raw = () =>
      createRotateClient({ baseUrl: api.origin, timeoutInSeconds: timeoutInSeconds as number });
    expect(raw).toThrowError(HaiAgentsConfigurationError);
  });

  it.each(outOfRange)(
    "a call refuses a per-request timeout that is %s, sending nothing",
    async (_, timeoutInSeconds) => {
      let tokenCalls = 0;
      const error = await rotate(
        {
          token: () => {
            tokenCalls += 1;
            return KEY;
          },
        },
        { timeoutInSeconds },
      );
      expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
      expect((error as HaiAgentsConfigurationError).setting).toBe("timeoutInSeconds");
      expect(error.message).toMatch(/This call's timeoutInSeconds/);
      expect(api.requests).toHaveLength(0);
      expect(tokenCalls).toBe(0);
    },
  );

  it("accepts the longest timeout a timer can hold", () => {
    expect(
      () => new HaiAgentsClient({ baseUrl: api.origin, token: KEY, timeoutInSeconds: 2147483.647 }),
    ).not.toThrow();
  });
});

describe("not_sent: nothing reached the API", () => {
  it("when the token function throws", async () => {
    const error = await rotate({
      token: () => {
        throw new Error("vault is sealed");
      },
    });
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect(error.message).toMatch(/The `token` function failed\. Nothing was sent\./);
    expect((error.cause as Error).message).toBe("vault is sealed");
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    ["a trailing newline", `${KEY}\n`],
    ["a control character", `${KEY}\u0000`],
    ["an empty string", ""],
    ["a number", 42],
  ])("when the token function returns %s, which cannot be a header value", async (_, value) => {
    const error = await rotate({ token: async () => value });
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect(error.message).not.toContain(KEY);
    expect(api.requests).toHaveLength(0);
  });

  it("when the webhook id is not a UUID", async () => {
    const client = new HaiAgentsClient({ baseUrl: api.origin, token: KEY });
    const error = await client.webhooks.rotateWebhookSecret({ webhookId: "nope" }).catch((e: unknown) => e);
    expectOutcome(error, InvalidWebhookIdError, "not_sent");
    expect(api.requests).toHaveLength(0);
  });

  it("when the connection is refused (a closed port)", async () => {
    const closed = await startServer();
    const origin = closed.origin;
    await closed.close();
    const client = new HaiAgentsClient({ baseUrl: origin, token: KEY });
    const error = await client.webhooks
      .rotateWebhookSecret({ webhookId: WEBHOOK_ID })
      .catch((e: unknown) => e);
    expectOutcome(error, HaiAgentsNetworkError, "not_sent");
    expect((error as Error).message).toMatch(/could not connect to .*ECONNREFUSED.*nothing was sent/);
  });

  it.each([
    ["a query", "https://agp.eu.hcompany.ai?x=1"],
    ["an empty query", "https://agp.eu.hcompany.ai/?"],
    ["an empty fragment", "https://agp.eu.hcompany.ai/#"],
    ["credentials", "https://user:pw@agp.eu.hcompany.ai"],
    ["an empty user", "https://@agp.eu.hcompany.ai"],
    ["plain http to a remote host", "http://agp.eu.hcompany.ai"],
  ])("when the base URL has %s", (_, baseUrl) => {
    const error = captureSync(() => new HaiAgentsClient({ baseUrl, token: KEY }));
    expectOutcome(error, HaiAgentsConfigurationError, "not_sent");
    expect((error as HaiAgentsConfigurationError).setting).toBe("baseUrl");
    expect(() => createRotateClient({ baseUrl })).toThrowError(HaiAgentsConfigurationError);
  });

  it("accepts http for loopback hosts, and for others only with allowInsecureHttp", () => {
    for (const baseUrl of ["http://127.0.0.1:4010", "http://localhost:4010", "http://[::1]:4010"]) {
      expect(() => new HaiAgentsClient({ baseUrl, token: KEY })).not.toThrow();
    }
    expect(
      () =>
        new HaiAgentsClient({ baseUrl: "http://mock.internal:4010", token: KEY, allowInsecureHttp: true }),
    ).not.toThrow();
  });
});

describe("rejected: the API answered that nothing changed", () => {
  it.each([
    [401, { message: "Unauthorized" }, UnauthorizedError],
    [404, { detail: "Webhook not found" }, NotFoundError],
    [
      422,
      { detail: [{ loc: ["path", "webhook_id"], msg: "bad", type: "uuid_parsing" }] },
      UnprocessableEntityError,
    ],
    [429, { detail: "slow down" }, HaiAgentsApiError],
  ] as const)("HTTP %i", async (status, body, type) => {
    api.answer((_, response) => sendJson(response, status, body));
    const error = await rotate();
    expectOutcome(error, type, "rejected");
    expect(error.statusCode).toBe(status);
    expect(api.requests).toHaveLength(1);
  });
});

describe("unknown: sent, but no usable status", () => {
  it("the connection is reset after the request arrived, before any status line", async () => {
    api.answer((request) => request.socket.destroy());
    const error = await rotate();
    expectOutcome(error, HaiAgentsNetworkError, "unknown");
    expect(error.message).toMatch(/may or may not have been rotated/);
    expect(api.requests).toHaveLength(1);
  });

  it("no status line arrives within the timeout", async () => {
    api.answer(() => undefined);
    const error = await rotate({ timeoutInSeconds: 0.2 });
    expectOutcome(error, HaiAgentsTimeoutError, "unknown");
    expect(api.requests).toHaveLength(1);
  });

  it.each([500, 502, 503])("HTTP %i, never retried", async (status) => {
    api.answer((_, response) => sendJson(response, status, { detail: "upstream trouble" }));
    const error = await rotate();
    expectOutcome(error, HaiAgentsApiError, "unknown");
    expect(error.message).toMatch(/may or may not have been rotated/);
    expect(api.requests).toHaveLength(1);
  });
});

describe("secret_lost: a 2xx arrived, its secret did not", () => {
  it("the body is cut off mid-way", async () => {
    api.answer((_, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      response.write(`{"id":"${WEBHOOK_ID}","secret":"whsec_`);
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const error = await rotate();
    expectOutcome(error, SecretNotReceivedError, "secret_lost");
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.message).toMatch(
      /HTTP 200, so the secret was rotated, but its body was cut off.*Rotate again/,
    );
  });

  it("the body stalls past the timeout", async () => {
    api.answer((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.write(`{"id":"${WEBHOOK_ID}",`);
    });
    const error = await rotate({ timeoutInSeconds: 1.5 });
    expectOutcome(error, SecretNotReceivedError, "secret_lost");
    expect(error.message).toMatch(/its body stalled: it did not finish within 1.5 s/);
  });

  it("the body declares more than 1 MiB: nothing of it is read", async () => {
    api.answer((_, response) => {
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(600 * 2 ** 20),
      });
      response.write("{");
    });
    const error = await rotate();
    expectOutcome(error, SecretNotReceivedError, "secret_lost");
    expect(error.message).toMatch(/larger than 1048576 bytes \(1 MiB\)/);
  });

  it("an unannounced body passes 1 MiB: reading stops there", async () => {
    let written = 0;
    let closed = false;
    api.answer((_, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      response.on("close", () => {
        closed = true;
      });
      const pump = () => {
        while (!closed && written < 64 * MAX_RESPONSE_BYTES) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
      };
      pump();
    });
    const error = await rotate();
    expectOutcome(error, SecretNotReceivedError, "secret_lost");
    // The server sees the connection close once the client cancels its read (a moment later on a busy machine).
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 5_000 });
    expect(written).toBeLessThan(16 * MAX_RESPONSE_BYTES);
  });

  it.each([
    ["not JSON", `{"secret":"${SECRET}"`],
    ["JSON without a secret", JSON.stringify({ id: WEBHOOK_ID })],
    ["empty", ""],
  ])("the body is %s", async (_, text) => {
    api.answer((_, response) => response.end(text));
    const error = await rotate();
    expectOutcome(error, SecretNotReceivedError, "secret_lost");
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });

  it("the raw client reports an unparsable 2xx rotate body the same way, without quoting it", async () => {
    api.answer((_, response) => response.end(`{"secret":"${SECRET}"`));
    const raw = createRotateClient({ baseUrl: api.origin, apiKey: KEY });
    const error = await raw
      .POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id: WEBHOOK_ID } } })
      .catch((e: unknown) => e);
    expectOutcome(error, SecretNotReceivedError, "secret_lost");
    expect(String((error as Error).message)).not.toContain("whsec_nZ");
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
