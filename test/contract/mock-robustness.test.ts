// The mock must never crash or hang on bad input: each case gets a clear 4xx, and the server keeps
// answering afterwards. Mock-only: against a real API these requests would rotate a real webhook.
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { ROTATE_PATH } from "./scenarios.js";

const target = inject("contractTarget");
const ID = target.webhookId;
const AUTH = { Authorization: `Bearer ${target.token}` };
const url = (id = ID) => target.baseUrl + ROTATE_PATH.replace("{webhook_id}", id);

async function send(input: string, init: RequestInit = {}) {
  const response = await fetch(input, {
    method: "POST",
    ...init,
    headers: { ...AUTH, ...(init.headers as Record<string, string>) },
  });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    allow: response.headers.get("allow"),
    text: await response.text(),
  };
}

async function expectStillServing() {
  expect((await send(url())).status).toBe(200);
}

describe("the mock server on bad input", () => {
  it("ignores a malformed JSON body like any stray body: these operations take none", async () => {
    const answer = await send(url(), {
      headers: { "Content-Type": "application/json" },
      body: '{"not": json',
    });
    expect(answer.status).toBe(200);
  });

  it("answers a 20 KB header with 431, then keeps serving", async () => {
    expect((await send(url(), { headers: { "X-Padding": "a".repeat(20_000) } })).status).toBe(431);
    await expectStillServing();
  });

  it("answers an unknown path with 404 naming the route, then keeps serving", async () => {
    const answer = await send(`${target.baseUrl}/api/v2/webhooks`);
    expect(answer.status).toBe(404);
    expect(answer.type).toBe("application/problem+json");
    const detail = JSON.parse(answer.text).detail as string;
    expect(detail).toMatch(/^No operation at \/api\/v2\/webhooks\. This mock serves: /);
    expect(detail).toContain("POST /api/v2/webhooks/{webhook_id}/rotate");
    await expectStillServing();
  });

  it("answers a wrong method with 405 naming the method, then keeps serving", async () => {
    const answer = await send(url(), { method: "GET" });
    expect([answer.status, answer.allow]).toEqual([405, "POST, OPTIONS"]); // Allow: RFC 9110 requires it
    expect(JSON.parse(answer.text).detail).toContain("does not take GET");
    await expectStillServing();
  });

  it("answers a malformed %-escape in the id with the documented 422 (Prism alone crashes on it)", async () => {
    const answer = await send(url("%ZZ"));
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.text).detail[0]).toMatchObject({ loc: ["path", "webhook_id"], input: "%ZZ" });
    await expectStillServing();
  });

  it("ignores a stray JSON body, as the API does, instead of blaming the id", async () => {
    const answer = await send(url(), { headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(answer.status).toBe(200);
  });

  it("refuses Prefer: code=500 with a 412 problem listing the documented statuses", async () => {
    const answer = await send(url(), { headers: { Prefer: "code=500" } });
    expect([answer.status, answer.type]).toEqual([412, "application/problem+json"]);
    expect(JSON.parse(answer.text).detail).toBe(
      "This operation documents no 500 response, so the mock cannot produce one. Documented statuses: 200, 401, 404, 422.",
    );
  });

  it("points a Prefer example of another status to the code it needs", async () => {
    const answer = await send(url(), { headers: { Prefer: "example=webhookNotFound" } });
    expect(answer.status).toBe(412);
    expect(JSON.parse(answer.text).detail).toContain("send Prefer: code=404, example=webhookNotFound.");
  });

  it("answers an unreadable Prefer value with a 412 saying what it expected", async () => {
    const answer = await send(url(), { headers: { Prefer: "dynamic=maybe" } });
    expect(answer.status).toBe(412);
    expect(JSON.parse(answer.text).detail).toBe('Prefer dynamic="maybe" is not true or false.');
  });

  it("lists each path's own methods in Allow (GET for a webhook, not DELETE)", async () => {
    const answer = await send(`${target.baseUrl}/api/v2/webhooks/${ID}`, { method: "DELETE" });
    expect([answer.status, answer.allow]).toEqual([405, "GET, OPTIONS"]);
  });

  it("matches the Bearer scheme case-insensitively", async () => {
    expect((await send(url(), { headers: { Authorization: `bearer ${target.token}` } })).status).toBe(200);
    expect((await send(url(), { headers: { Authorization: `BEARER ${target.token}` } })).status).toBe(200);
  });

  it.each(["Bearer undefined", "Bearer null", "Bearer [object Object]", "Bearer ", "Bearer"])(
    "answers %j, a front-end bug, with the documented 401",
    async (authorization) => {
      const answer = await send(url(), { headers: { Authorization: authorization } });
      expect([answer.status, JSON.parse(answer.text)]).toEqual([401, { message: "Unauthorized" }]);
    },
  );

  it("answers a malformed Content-Type with a 400 problem, not a 500, then keeps serving", async () => {
    const answer = await send(url(), { headers: { "Content-Type": ";;;" }, body: "{}" });
    expect([answer.status, answer.type]).toEqual([400, "application/problem+json"]);
    expect(JSON.parse(answer.text).detail).toContain('The Content-Type header ";;;" is not a media type.');
    await expectStillServing();
  });

  it("refuses a body past 64 KiB with 413 before parsing it, then keeps serving", async () => {
    // 1 MB of nested arrays: parsing it is what cost Prism seconds of CPU and a gigabyte.
    const nested = `${"[".repeat(500_000)}${"]".repeat(500_000)}`;
    const answer = await send(url(), { headers: { "Content-Type": "application/json" }, body: nested });
    expect([answer.status, answer.type]).toEqual([413, "application/problem+json"]);
    await expectStillServing();
  });

  it("refuses a chunked body (no Content-Length) once it passes 64 KiB", async () => {
    const chunk = new Uint8Array(16 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i += 1) controller.enqueue(chunk);
        controller.close();
      },
    });
    const answer = await send(url(), { body, duplex: "half" } as RequestInit);
    expect(answer.status).toBe(413);
    await expectStillServing();
  });

  it("answers a small stray body as usual: the limit is for abuse, not for axios' `{}`", async () => {
    const answer = await send(url(), {
      headers: { "Content-Type": "application/json" },
      body: "x".repeat(60_000),
    });
    expect(answer.status).toBe(200);
  });

  it("names the value actually sent in the 422, not the example's", async () => {
    const answer = await send(`${target.baseUrl}/api/v2/webhooks/abc-123`, { method: "GET" });
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.text).detail[0]).toEqual({
      type: "uuid_parsing",
      loc: ["path", "webhook_id"],
      msg: "Input should be a valid UUID, invalid group count: expected 5, found 2",
      input: "abc-123",
      ctx: { error: "invalid group count: expected 5, found 2" },
    });
  });

  it("never answers 5xx or stops answering, whatever the path, method, Prefer header or body", async () => {
    const segment = fc
      .array(
        fc.constantFrom(
          "%",
          "ZZ",
          "%2F",
          "%E0%A4",
          "%00",
          "0",
          "f47ac10b",
          "-",
          "/",
          "..",
          "é",
          "{",
          "}",
          ";",
          "~",
          "+",
          "=",
        ),
        {
          maxLength: 8,
        },
      )
      .map((parts) => parts.join(""));
    const headerValue = fc.string({ maxLength: 40 }).map((value) => value.replace(/[^\x20-\x7e]/g, ""));
    await fc.assert(
      fc.asyncProperty(
        segment,
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
        headerValue,
        fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
        async (id, method, prefer, body) => {
          const answer = await send(url(id), {
            method,
            headers: { Prefer: prefer, "Content-Type": "application/json" },
            body: method === "GET" ? undefined : body,
          });
          expect(answer.status, `${method} ${url(id)} Prefer: ${prefer}`).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
    await expectStillServing();
  });
});
