// `npm start` and the MSW handlers are one mock: the same generated request goes to the mock as a real
// process on 127.0.0.1 (over HTTP, through Prism's examples) and through MSW's handler resolution, and the
// two answers must agree on status, media type, body (a fresh secret and its `updated_at` masked), Allow,
// CORS and X-Mock-Error headers. There is no list of known differences: any difference fails, with the
// request that shows it (fast-check shrinks it and prints the seed to replay it). The same run checks that
// `npm start` never answers 5xx, but for the 502 that ping documents.
import fc from "fast-check";
import { getResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "../../src/msw.js";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";

const SEED = 18;
const RUNS = Number(process.env.PARITY_RUNS ?? 2_200);
const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const LOCAL = "http://127.0.0.1:4010";
const TEMPLATES: Array<[method: string, template: string]> = [
  ["GET", "/api/v2/webhooks/{id}"],
  ["POST", "/api/v2/webhooks/{id}/rotate"],
  ["POST", "/api/v2/webhooks/{id}/ping"],
];

let mock: MockProcess;
beforeAll(async () => {
  mock = await startMockProcess(["--quiet"]);
});
afterAll(async () => {
  await mock?.stop();
});

// ---- The requests ----------------------------------------------------------------------------------

const hexDigits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: min, maxLength: max });

/** The id segment as it appears in the URL, with the kind of id it is (for the printed mix). */
const idSegment: fc.Arbitrary<[kind: string, segment: string]> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<[string, string]>(["documented", ID]) },
  fc.constant<[string, string]>(["documented, upper case", ID.toUpperCase()]),
  fc.constantFrom<[string, string]>(
    ["documented, hyphenless", ID.replaceAll("-", "")],
    ["documented, hyphenless upper case", ID.replaceAll("-", "").toUpperCase()],
  ),
  fc.uuid().map((uuid): [string, string] => ["other UUID", uuid]),
  fc.uuid().map((uuid): [string, string] => ["other UUID, hyphenless", uuid.replaceAll("-", "")]),
  fc.constant<[string, string]>(["empty", ""]),
  fc.constantFrom<[string, string]>(["malformed %-escape", "%ZZ"], ["the 422 example", "not-a-uuid"]),
  hexDigits(33, 300).map((text): [string, string] => ["too long", text]),
  fc
    .string({
      unit: fc.constantFrom("a", "F", "0", "-", "z", " ", "é", "😀", "𝄞", "/", "%", "{", "\u0000"),
      maxLength: 40,
    })
    .map((text): [string, string] => [
      "odd characters, percent-encoded (non-BMP included)",
      encodeURIComponent(text),
    ]),
);

const authorization = fc.oneof(
  { weight: 3, arbitrary: fc.constant("Bearer hk-parity") },
  fc.constantFrom(
    undefined,
    "bearer hk-parity",
    "BEARER   hk-parity  ",
    "Bearer",
    "Bearer ",
    "Bearer undefined",
    "Bearer null",
    "Bearer [object Object]",
    "Basic aGs6dGVzdA==",
    "hk-parity",
  ),
);

const accept = fc.oneof(
  fc.constantFrom(
    undefined,
    "application/json",
    "application/problem+json",
    "application/xml",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "a",
    "*/*",
    "",
  ),
  fc.string({ unit: fc.constantFrom("a", "/", "*", ";", "=", "q", ",", " ", "+", "0"), maxLength: 20 }),
);

const preferName = fc.constantFrom(
  "code",
  "Code",
  "CODE",
  "example",
  "Example",
  "dynamic",
  "DYNAMIC",
  "return",
  "",
);
const preferValue = fc.constantFrom(
  "200",
  "404",
  "0404",
  "401",
  "422",
  "400",
  "502",
  "500",
  "2000",
  "-1",
  "abc",
  "",
  '"404"',
  "rotated",
  "rotatedAfterFailures",
  "webhookNotFound",
  "healthy",
  "failing",
  "nope",
  "true",
  "false",
  "TRUE",
  "maybe",
  "minimal",
);
/** One `name=value` pair, sometimes with parameters after `;` or without `=`. */
const preferPair = fc
  .tuple(preferName, preferValue, fc.constantFrom("", "; x=1", ";", "=extra"), fc.boolean())
  .map(([name, value, tail, bare]) => (bare && value === "" ? name : `${name}=${value}${tail}`));
const prefer = fc.option(
  fc.oneof(
    fc.array(preferPair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.join(", ")),
    fc.constantFrom("", ",", ";;;", "=", "code", "code==404", " , code=404"),
  ),
  { nil: undefined, freq: 2 },
);

const aliasName = fc.constantFrom(
  "__code",
  "__CODE",
  "__Code",
  "__example",
  "__EXAMPLE",
  "__dynamic",
  "__Dynamic",
  "__x",
  "code",
);
const query: fc.Arbitrary<Array<[string, string]>> = fc.oneof(
  fc.constant<Array<[string, string]>>([]),
  fc.array(fc.tuple(aliasName, preferValue), { minLength: 1, maxLength: 3 }),
);

const origin = fc.constantFrom(undefined, "http://localhost:5173", "https://app.example", "null");
const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD");
const body = fc.oneof(
  { weight: 4, arbitrary: fc.constant<[string | undefined, string | undefined]>([undefined, undefined]) },
  fc.constantFrom<[string | undefined, string | undefined]>(
    ["application/json", "{}"],
    ["application/json", '{"not": json'],
    ["text/plain; charset=utf-8", "hello"],
    [";;;", "{}"],
    ["application/json", "x".repeat(70_000)],
  ),
);

const request = fc.record({
  template: fc.constantFrom(...TEMPLATES),
  useDocumentedMethod: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
  method,
  id: idSegment,
  authorization,
  accept,
  prefer,
  query,
  origin,
  preflight: fc.boolean(),
  body,
});
type Generated = typeof request extends fc.Arbitrary<infer T> ? T : never;

function build(generated: Generated): { url: string; init: RequestInit; label: string } {
  const [documentedMethod, template] = generated.template;
  const method = generated.useDocumentedMethod ? documentedMethod : generated.method;
  const search = new URLSearchParams(generated.query).toString();
  const path = template.replace("{id}", generated.id[1]) + (search ? `?${search}` : "");
  const headers: Record<string, string> = {};
  if (generated.authorization !== undefined) headers.Authorization = generated.authorization;
  if (generated.accept !== undefined) headers.Accept = generated.accept;
  if (generated.prefer !== undefined) headers.Prefer = generated.prefer;
  if (generated.origin !== undefined) headers.Origin = generated.origin;
  if (method === "OPTIONS" && generated.preflight) {
    headers["Access-Control-Request-Method"] = documentedMethod;
    headers["Access-Control-Request-Headers"] = "authorization, prefer";
  }
  const [contentType, text] = ["GET", "HEAD"].includes(method) ? [undefined, undefined] : generated.body;
  if (contentType !== undefined) headers["Content-Type"] = contentType;
  return {
    url: path,
    init: { method, headers, body: text },
    label: `${method} ${path} ${JSON.stringify(headers)}`,
  };
}

// ---- What is compared ------------------------------------------------------------------------------

const COMPARED_HEADERS = [
  "allow",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-allow-credentials",
  "access-control-expose-headers",
  "access-control-max-age",
  "vary",
  "x-mock-error",
];

interface Seen {
  status: number;
  type: string;
  body: unknown;
  headers: Record<string, string>;
}

/** A fresh secret and an `updated_at` of the last minute are replaced by their shape. */
function masked(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const record = { ...(value as Record<string, unknown>) };
  if (typeof record.secret === "string" && /^whsec_[A-Za-z0-9_-]{43}$/.test(record.secret))
    record.secret = "<fresh secret>";
  if (typeof record.updated_at === "string" && Date.parse(record.updated_at) > Date.now() - 60_000)
    record.updated_at = "<now>";
  return record;
}

async function seen(response: Response, method: string): Promise<Seen> {
  const text = await response.text();
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  // A HEAD answer has no body on the wire (HTTP drops it); MSW hands back the Response as built.
  let body: unknown = method === "HEAD" ? "<no body on HEAD>" : text;
  if (method !== "HEAD" && type.endsWith("json")) body = masked(JSON.parse(text));
  const headers = Object.fromEntries(
    COMPARED_HEADERS.flatMap((name) =>
      response.headers.has(name) ? [[name, response.headers.get(name) ?? ""]] : [],
    ),
  );
  return { status: response.status, type, body, headers };
}

// ---- The property ----------------------------------------------------------------------------------

describe("npm start and the MSW handlers", () => {
  it("answer every generated request identically, and npm start never with a 5xx but ping's 502", {
    timeout: 300_000,
  }, async () => {
    const handlers = createHandlers({ baseUrls: [LOCAL] });
    const mix = new Map<string, number>();
    const count = (key: string) => mix.set(key, (mix.get(key) ?? 0) + 1);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const { url, init, label } = build(generated);
        const method = String(init.method);
        // A hang fails as that request, not as a test timeout.
        const fromServer = await seen(
          await fetch(mock.url + url, { ...init, signal: AbortSignal.timeout(10_000) }),
          method,
        );
        const answer = await Promise.race([
          getResponse(handlers, new Request(LOCAL + url, init)),
          new Promise((_, reject) => setTimeout(() => reject(new Error("MSW: no answer in 10 s")), 10_000)),
        ]);
        expect(answer, `the handlers did not answer ${label}`).toBeDefined();
        const fromMsw = await seen(answer as Response, method);
        sent += 1;
        expect(fromMsw, label).toEqual(fromServer);
        const isPing502 = fromServer.status === 502 && generated.template[1].endsWith("/ping");
        expect(
          fromServer.status < 500 || isPing502,
          `npm start answered ${fromServer.status}: ${label}`,
        ).toBe(true);

        count(`method ${method}`);
        count(`id: ${generated.id[0]}`);
        count(
          `authorization: ${generated.authorization === undefined ? "none" : JSON.stringify(generated.authorization)}`,
        );
        count(`accept: ${generated.accept === undefined ? "none" : "sent"}`);
        count(`prefer: ${generated.prefer === undefined ? "none" : "sent"}`);
        if (generated.query.some(([name]) => name.startsWith("__"))) count("query alias");
        if (new Set(generated.query.map(([name]) => name.toLowerCase())).size < generated.query.length)
          count("repeated query alias");
        count(`origin: ${generated.origin ?? "none"}`);
        count(`status ${fromServer.status}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const lines = [...mix].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `  ${key}: ${n}`);
    console.info(
      `Parity: ${sent} generated requests to both adapters (seed ${SEED}), 0 differences.\n${lines.join("\n")}`,
    );
    expect(sent).toBeGreaterThanOrEqual(2_000);
  });
});
