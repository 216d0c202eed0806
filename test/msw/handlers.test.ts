// The MSW handlers answer by the mock's one set of rules (src/mock-engine.ts). Each request goes through
// MSW's own handler resolution (`getResponse`), injected as the client's `fetch`: no global is patched.
// Expected bodies come from openapi/ bundled by Redocly, not from generated/openapi.json the handlers read.
import { getResponse, type HttpHandler } from "msw";
import { beforeAll, describe, expect, it } from "vitest";
import { createRotateClient, HaiAgentsClient, NotFoundError, UnauthorizedError } from "../../src/index.js";
import { createHandlers, handlers, MockHandlersOptionsError } from "../../src/msw.js";
import { bundleSpec, type Json } from "../support/spec.js";

const EU = "https://agp.eu.hcompany.ai";
const US = "https://agp.hcompany.ai";
const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const OTHER_ID = "00000000-0000-4000-8000-000000000000";
const ROTATE = (id: string, origin = EU) => `${origin}/api/v2/webhooks/${id}/rotate`;

let spec: Json;
beforeAll(() => {
  spec = bundleSpec();
});

/** The value of the named example (first when omitted) of one documented response of rotate. */
function example(status: string, name?: string): unknown {
  const paths = spec.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
  const content = paths["/api/v2/webhooks/{webhook_id}/rotate"]?.post?.responses[status]?.content as Json;
  const examples = (content["application/json"] as { examples: Record<string, { value: unknown }> }).examples;
  return examples[name ?? Object.keys(examples)[0]!]!.value;
}

function mswFetch(set: HttpHandler[]) {
  return async (input: Request | string, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const response = await getResponse(set, request);
    if (!response) throw new Error(`no handler for ${request.method} ${request.url}`);
    return response;
  };
}

async function send(url: string, headers: Record<string, string> = {}, set = handlers, method = "POST") {
  const response = await mswFetch(set)(url, { method, headers });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  };
}

const AUTH = { Authorization: "Bearer hk-test" };

describe("the default handlers", () => {
  it("answer the documented id with the 200 example, verbatim, on both regional hosts", async () => {
    for (const origin of [EU, US]) {
      expect(await send(ROTATE(ID, origin), AUTH)).toMatchObject({
        status: 200,
        type: "application/json",
        body: example("200"),
      });
    }
  });

  it("serve the seed example unchanged: the facade's default host, the example secret", async () => {
    const client = new HaiAgentsClient({ token: "hk-test", fetch: mswFetch(handlers) });
    const webhook = await client.webhooks.rotateWebhookSecret({ webhookId: ID });
    expect(webhook.secret).toBe((example("200") as { secret: string }).secret);
  });

  it("give the raw client typed data, and the facade a NotFoundError for any other well-formed id", async () => {
    const raw = createRotateClient({ apiKey: "hk-test", fetch: mswFetch(handlers) });
    const ok = await raw.POST("/api/v2/webhooks/{webhook_id}/rotate", {
      params: { path: { webhook_id: ID } },
    });
    expect(ok.data).toEqual(example("200"));
    const missing = await raw.POST("/api/v2/webhooks/{webhook_id}/rotate", {
      params: { path: { webhook_id: OTHER_ID } },
    });
    expect([missing.response.status, missing.error]).toEqual([404, example("404")]);

    const facade = new HaiAgentsClient({ token: "hk-test", fetch: mswFetch(handlers) });
    await expect(facade.webhooks.rotateWebhookSecret({ webhookId: OTHER_ID })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it("treat the documented id case-insensitively, as a UUID", async () => {
    expect((await send(ROTATE(ID.toUpperCase()), AUTH)).status).toBe(200);
  });

  it.each([
    ["no Authorization header", {}],
    ["an empty bearer token", { Authorization: "Bearer " }],
    ["Bearer undefined", { Authorization: "Bearer undefined" }],
    ["Bearer null", { Authorization: "Bearer null" }],
    ["Bearer [object Object]", { Authorization: "Bearer [object Object]" }],
    ["a Basic credential", { Authorization: "Basic aGs6dGVzdA==" }],
    ["the scheme alone", { Authorization: "Bearer" }],
  ])("refuse %s with the documented 401", async (_, headers) => {
    expect(await send(ROTATE(ID), headers)).toMatchObject({ status: 401, body: example("401") });
  });

  it("accept the Bearer scheme in any case", async () => {
    expect((await send(ROTATE(ID), { Authorization: "bearer hk-test" })).status).toBe(200);
  });

  it("refuse a surely mistaken facade token as the gateway would: UnauthorizedError", async () => {
    const facade = new HaiAgentsClient({ token: "undefined", fetch: mswFetch(handlers) });
    await expect(facade.webhooks.rotateWebhookSecret({ webhookId: ID })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it("answer the 422 example verbatim for its own value, and name any other offending value", async () => {
    expect(await send(ROTATE("not-a-uuid"), AUTH)).toMatchObject({ status: 422, body: example("422") });
    const cases = [
      [
        "zzz",
        "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `z` at 1",
      ],
      ["f47ac10b-58cc-4372-a567", "invalid group count: expected 5, found 4"],
      ["f47ac10b-58cc-4372-a567-0e02b2c3d47", "invalid group length in group 4: expected 12, found 11"],
      ["f47ac10b58cc4372a5670e02b2c3d47", "invalid length: expected length 32 for simple format, found 31"],
    ];
    for (const [value, error] of cases) {
      expect((await send(ROTATE(value!), AUTH)).body).toEqual({
        detail: [
          {
            type: "uuid_parsing",
            loc: ["path", "webhook_id"],
            msg: `Input should be a valid UUID, ${error}`,
            input: value,
            ctx: { error },
          },
        ],
      });
    }
  });

  it("send a malformed %-escape on to validation (422) instead of failing inside MSW's matcher", async () => {
    expect(await send(ROTATE("%ZZ"), AUTH)).toMatchObject({
      status: 422,
      body: { detail: [{ input: "%ZZ" }] },
    });
  });

  it("check the token before the id: 401 wins over 422, as at the gateway", async () => {
    expect((await send(ROTATE("not-a-uuid"))).status).toBe(401);
  });
});

describe("every operation in the spec", () => {
  // Read from the spec, so an operation added there is checked here with no test code.
  function operations() {
    const found: Array<{ method: string; path: string; success: string; examples: Record<string, Json> }> =
      [];
    for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const responses = operation.responses as Record<string, { content?: Record<string, Json> }>;
        const success = Object.keys(responses).find((code) => code.startsWith("2"))!;
        const media = Object.values(responses[success]?.content ?? {})[0] as {
          examples: Record<string, Json>;
        };
        found.push({ method: method.toUpperCase(), path, success, examples: media.examples });
      }
    }
    return found;
  }

  it("is answered: its first success example for the documented id, 404/401/422 otherwise", async () => {
    const seen: string[] = [];
    for (const { method, path, success, examples } of operations()) {
      const url = (id: string) => EU + path.replace("{webhook_id}", id);
      const first = Object.values(examples)[0]!.value;
      expect(await send(url(ID), AUTH, handlers, method)).toMatchObject({
        status: Number(success),
        body: first,
      });
      expect((await send(url(OTHER_ID), AUTH, handlers, method)).status).toBe(404);
      expect((await send(url(ID), {}, handlers, method)).status).toBe(401);
      expect((await send(url("not-a-uuid"), AUTH, handlers, method)).status).toBe(422);
      seen.push(`${method} ${path}`);
    }
    expect(seen).toEqual(
      expect.arrayContaining([
        "POST /api/v2/webhooks/{webhook_id}/rotate",
        "GET /api/v2/webhooks/{webhook_id}",
      ]),
    );
    expect(seen.length).toBe(
      Object.values(spec.paths as Json).flatMap((item) => Object.keys(item as Json)).length,
    );
  });
});

describe("Prefer negotiation, as the mock reads it", () => {
  it("serves any documented status and example on request, header or query alias", async () => {
    expect(await send(ROTATE(ID), { ...AUTH, Prefer: "code=404" })).toMatchObject({
      status: 404,
      body: example("404"),
    });
    expect((await send(ROTATE(ID), { ...AUTH, Prefer: "example=rotatedAfterFailures" })).body).toEqual(
      example("200", "rotatedAfterFailures"),
    );
    expect((await send(`${ROTATE(ID)}?__code=422`, AUTH)).body).toEqual(example("422"));
    // An unknown id is served too when a status is asked for: the Prefer header decides.
    expect((await send(ROTATE(OTHER_ID), { ...AUTH, Prefer: "code=200" })).body).toEqual(example("200"));
  });

  it("ignores the query aliases when a Prefer header is sent", async () => {
    const answer = await send(`${ROTATE(ID)}?__example=rotatedAfterFailures`, {
      ...AUTH,
      Prefer: "code=200",
    });
    expect(answer.body).toEqual(example("200"));
  });

  it("refuses an undocumented status or example with a 412 marked X-Mock-Error that lists what exists", async () => {
    const refused = await send(ROTATE(ID), { ...AUTH, Prefer: "code=500" });
    expect(refused.headers.get("x-mock-error")).toBe("cannot-honour-preference");
    expect(refused).toMatchObject({
      status: 412,
      type: "application/problem+json",
      body: {
        detail:
          "This operation documents no 500 response, so the mock cannot produce one. Documented statuses: 200, 401, 404, 422.",
      },
    });
    expect((await send(ROTATE(ID), { ...AUTH, Prefer: "example=webhookNotFound" })).body?.detail).toBe(
      'The 200 response has no example named "webhookNotFound". Its examples: rotated, rotatedAfterFailures. ' +
        '"webhookNotFound" belongs to the 404 response: send Prefer: code=404, example=webhookNotFound.',
    );
  });

  it("refuses a preference it cannot read with the same 412, and ignores parameters after ';'", async () => {
    expect(await send(ROTATE(ID), { ...AUTH, Prefer: "code=abc" })).toMatchObject({
      status: 412,
      type: "application/problem+json",
      body: {
        title: "The mock cannot honour this request",
        detail: 'Prefer code="abc" is not a status: send three digits such as 404.',
      },
    });
    expect((await send(`${ROTATE(ID)}?__dynamic=maybe`, AUTH)).status).toBe(412);
    expect((await send(ROTATE(ID), { ...AUTH, Prefer: "code=404; example=nope" })).body).toEqual(
      example("404"),
    );
  });

  it("never lets Prefer skip the token check", async () => {
    expect((await send(ROTATE(ID), { Prefer: "code=200" })).status).toBe(401);
  });
});

describe("dynamic secrets", () => {
  const SECRET = /^whsec_[A-Za-z0-9_-]{43}$/;

  it("Prefer: dynamic=true gives a fresh secret each call, valid against the spec's pattern", async () => {
    const first = (await send(ROTATE(ID), { ...AUTH, Prefer: "dynamic=true" })).body!;
    const second = (await send(ROTATE(ID), { ...AUTH, Prefer: "dynamic=true" })).body!;
    const schema = (spec.components as { schemas: Record<string, { allOf: Json[] }> }).schemas
      .WebhookWithSecret;
    const secret = (schema!.allOf[1]!.properties as Record<string, { pattern: string }>).secret!;
    expect(first.secret).toMatch(SECRET);
    expect(first.secret).toMatch(new RegExp(secret.pattern));
    expect(new Set([first.secret, second.secret, (example("200") as Json).secret]).size).toBe(3);
  });

  it("keeps the rest of the example, with the path's id and updated_at moved to now", async () => {
    const before = Date.now() - 1000;
    const { secret, updated_at, ...rest } = (
      await send(ROTATE(OTHER_ID), {
        ...AUTH,
        Prefer: "code=200, dynamic=true",
      })
    ).body!;
    const { secret: _s, updated_at: _u, ...documented } = example("200") as Json;
    expect(rest).toEqual({ ...documented, id: OTHER_ID });
    expect(Date.parse(String(updated_at))).toBeGreaterThanOrEqual(before);
    expect(secret).toMatch(SECRET);
  });

  it("createHandlers({ dynamic: true }) does it for every call; Prefer: dynamic=false and errors keep examples", async () => {
    const dynamic = createHandlers({ dynamic: true });
    expect((await send(ROTATE(ID), AUTH, dynamic)).body?.secret).not.toBe((example("200") as Json).secret);
    expect((await send(ROTATE(ID), { ...AUTH, Prefer: "dynamic=false" }, dynamic)).body).toEqual(
      example("200"),
    );
    expect((await send(ROTATE(OTHER_ID), AUTH, dynamic)).body).toEqual(example("404"));
  });
});

describe("stateful handlers", () => {
  it("rotate for real: a new secret every call, updated_at moved, other sets unaffected", async () => {
    const stateful = createHandlers({ stateful: true });
    const first = (await send(ROTATE(ID), AUTH, stateful)).body!;
    const second = (await send(ROTATE(ID), AUTH, stateful)).body!;
    expect(first.secret).not.toBe(second.secret);
    expect(first.secret).not.toBe((example("200") as Json).secret);
    expect(Date.parse(String(second.updated_at))).toBeGreaterThan(Date.parse("2026-07-02T09:00:00Z"));
    expect((await send(ROTATE(ID), AUTH)).body).toEqual(example("200"));
    // Explicit Prefer answers stay the documented examples, and unknown ids stay unknown.
    expect((await send(ROTATE(ID), { ...AUTH, Prefer: "code=200" }, stateful)).body).toEqual(example("200"));
    expect((await send(ROTATE(OTHER_ID), AUTH, stateful)).status).toBe(404);
  });

  it("show the last rotation's updated_at in a later GET of the same webhook, and only in that set", async () => {
    const stateful = createHandlers({ stateful: true });
    const read = async (set: HttpHandler[]) =>
      (await send(`${EU}/api/v2/webhooks/${ID}`, AUTH, set, "GET")).body as Json;
    const before = await read(stateful);
    expect(before.updated_at).toBe("2026-07-02T09:00:00Z");
    const rotated = (await send(ROTATE(ID), AUTH, stateful)).body!;
    const after = await read(stateful);
    expect(after).toEqual({ ...before, updated_at: rotated.updated_at });
    expect(after.updated_at).not.toBe(before.updated_at);
    expect(after).not.toHaveProperty("secret");
    expect((await read(handlers)).updated_at).toBe("2026-07-02T09:00:00Z");
  });
});

describe("origins, CORS and methods", () => {
  it("answer on any base URL given, besides both regional hosts", async () => {
    const local = createHandlers({ baseUrls: ["http://localhost:4010/"] });
    expect((await send(ROTATE(ID, "http://localhost:4010"), AUTH, local)).status).toBe(200);
    expect((await send(ROTATE(ID, US), AUTH, local)).status).toBe(200);
    const prefixed = createHandlers({ baseUrls: ["http://127.0.0.1:8080/proxy"] });
    expect((await send(ROTATE(ID, "http://127.0.0.1:8080/proxy"), AUTH, prefixed)).status).toBe(200);
  });

  it("leave every other origin alone (MSW's onUnhandledRequest decides)", async () => {
    const request = new Request(ROTATE(ID, "http://localhost:4010"), { method: "POST", headers: AUTH });
    expect(await getResponse(handlers, request)).toBeUndefined();
  });

  it("refuse a base URL that is not absolute http(s), saying what to pass", () => {
    expect(() => createHandlers({ baseUrls: ["localhost:4010"] })).toThrow(MockHandlersOptionsError);
    expect(() => createHandlers({ baseUrls: ["/api"] })).toThrow(
      'baseUrls must hold absolute URLs such as "http://localhost:4010"; got "/api".',
    );
  });

  it("answer a CORS preflight, and let another origin read every answer", async () => {
    const origin = "http://localhost:5173";
    const preflight = await send(
      ROTATE(ID),
      {
        Origin: origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
      handlers,
      "OPTIONS",
    );
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "POST, OPTIONS",
      "access-control-allow-headers": "authorization",
    });
    const refused = await send(ROTATE(ID), { Origin: origin });
    expect([refused.status, refused.headers.get("access-control-allow-origin")]).toEqual([401, origin]);
  });

  it("answer an undocumented method with 405 and an Allow header", async () => {
    const answer = await send(ROTATE(ID), AUTH, handlers, "DELETE");
    expect([answer.status, answer.headers.get("allow"), answer.type]).toEqual([
      405,
      "POST, OPTIONS",
      "application/problem+json",
    ]);
  });
});
