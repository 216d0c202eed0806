// The mock's rules (src/mock-engine.ts) on their own, one Fetch Request at a time: each case below is one on
// which `npm start` and the MSW handlers once disagreed, now answered one way (test/msw/parity.test.ts checks
// that both adapters keep to it on generated requests).
import { describe, expect, it } from "vitest";
import { CANNOT_HONOUR_STATUS, createMockEngine, type MockAnswer } from "../../src/mock-engine.js";

const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const OTHER_ID = "00000000-0000-4000-8000-000000000000";
const BASE = "http://mock.test";
const engine = createMockEngine();

function send(path: string, headers: Record<string, string> = {}, method = "POST", body?: string) {
  return engine.answer(
    new Request(BASE + path, { method, headers: { Authorization: "Bearer hk-test", ...headers }, body }),
  );
}
const rotate = (id = ID, query = "") => `/api/v2/webhooks/${id}/rotate${query}`;
const detail = (answer: MockAnswer) => (answer.body as { detail: unknown }).detail;

describe("Accept is never read, as the API (FastAPI) does not read it", () => {
  it.each(["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml", "a"])(
    "answers JSON to Accept: %s, on a 2xx and on every error",
    async (accept) => {
      expect(await send(rotate(), { Accept: accept })).toMatchObject({
        status: 200,
        headers: { "content-type": "application/json" },
      });
      for (const [path, headers, status] of [
        [rotate(), { Authorization: "" }, 401],
        [rotate(OTHER_ID), {}, 404],
        [rotate("zzz"), {}, 422],
      ] as const) {
        const answer = await send(path, { ...headers, Accept: accept });
        expect([answer.status, answer.headers?.["content-type"]]).toEqual([status, "application/json"]);
      }
    },
  );
});

describe("Prefer and its __ query aliases: one reading", () => {
  it("reads alias names in any letter case", async () => {
    for (const name of ["__code", "__CODE", "__Code"]) {
      expect((await send(rotate(ID, `?${name}=404`))).status, name).toBe(404);
    }
  });

  it("takes the first occurrence of a repeated preference (RFC 7240), in the header and in the query", async () => {
    expect((await send(rotate(), { Prefer: "code=404, code=422" })).status).toBe(404);
    expect((await send(rotate(), { Prefer: "Code=422, code=404" })).status).toBe(422);
    const first = await send(rotate(ID, "?__dynamic=1&__dynamic=false"));
    expect(first.status).toBe(CANNOT_HONOUR_STATUS); // "1" is read, and is not true or false
    expect((await send(rotate(ID, "?__code=404&__CODE=422"))).status).toBe(404);
  });

  it.each([
    ["code=0404", 'Prefer code="0404" is not a status: send three digits such as 404.'],
    ["code=", 'Prefer code="" is not a status: send three digits such as 404.'],
    ["example=", "Prefer example= needs the name of one of the spec's examples."],
    ["dynamic=yes", 'Prefer dynamic="yes" is not true or false.'],
  ])("refuses %j as unreadable, the one documented way", async (prefer, message) => {
    const answer = await send(rotate(), { Prefer: prefer });
    expect(answer).toMatchObject({
      status: 412,
      headers: { "content-type": "application/problem+json", "x-mock-error": "cannot-honour-preference" },
      body: {
        type: "urn:hai-webhook-rotate:mock:cannot-honour-preference",
        title: "The mock cannot honour this request",
        detail: message,
      },
    });
  });

  it("ignores the aliases when a Prefer header is sent, even an empty one", async () => {
    expect((await send(rotate(ID, "?__code=404"), { Prefer: "" })).status).toBe(200);
  });
});

describe("ids, judged as the API's validator (pydantic) judges a UUID", () => {
  it("routes an empty id segment to the operation and refuses it with the documented 422", async () => {
    const answer = await send("/api/v2/webhooks//rotate");
    expect(answer.status).toBe(422);
    expect(detail(answer)).toEqual([
      {
        type: "uuid_parsing",
        loc: ["path", "webhook_id"],
        msg: "Input should be a valid UUID, invalid length: expected length 32 for simple format, found 0",
        input: "",
        ctx: { error: "invalid length: expected length 32 for simple format, found 0" },
      },
    ]);
  });

  it("accepts a UUID without hyphens, as the API does: the same webhook, or the 404 for another", async () => {
    const same = await send(rotate(ID.replaceAll("-", "").toUpperCase()));
    expect(same.status).toBe(200);
    expect((await send(rotate(OTHER_ID.replaceAll("-", "")))).status).toBe(404);
    const dynamic = await send(rotate(ID.replaceAll("-", "")), { Prefer: "dynamic=true" });
    expect((dynamic.body as { id: string }).id).toBe(ID); // the stored form, hyphenated
  });

  it("counts characters as code points: a non-BMP character is named whole, at its position", async () => {
    const answer = await send(rotate(encodeURIComponent("ab😀c")));
    expect((detail(answer) as Array<{ msg: string }>)[0]?.msg).toBe(
      "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` " +
        "followed by [0-9a-fA-F-], found `😀` at 3",
    );
  });

  it("lists one entry, about the value sent, in the 422", async () => {
    expect(detail(await send(rotate("abc-123")))).toHaveLength(1);
  });
});

describe("bodies, the same rule for every adapter", () => {
  it("refuses a body past 64 KiB with 413, and a Content-Type that is not a media type with 400", async () => {
    const large = await send(rotate(), { "Content-Type": "application/json" }, "POST", "x".repeat(65_537));
    expect([large.status, large.headers?.["x-mock-error"]]).toEqual([413, "body-too-large"]);
    const exact = await send(rotate(), { "Content-Type": "application/json" }, "POST", "x".repeat(65_536));
    expect(exact.status).toBe(200);
    for (const type of [";;;", "json", "application/json; charset"]) {
      expect((await send(rotate(), { "Content-Type": type }, "POST", "{}")).status, type).toBe(400);
    }
    for (const type of ["application/json", 'text/plain; charset="utf-8"', "application/json ; a=b"]) {
      expect((await send(rotate(), { "Content-Type": type }, "POST", "{}")).status, type).toBe(200);
    }
  });
});

describe("CORS", () => {
  it("lets any page read the plain mock's answers, and never claims credentials", async () => {
    const answer = await send(rotate(), { Origin: "http://localhost:5173" });
    expect(answer.headers).toMatchObject({ "access-control-allow-origin": "http://localhost:5173" });
    expect(answer.headers).not.toHaveProperty("access-control-allow-credentials");
  });
});
