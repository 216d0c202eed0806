// The handlers and `npm start` side by side: the same requests go to the compiled Prism mock (a real
// process on 127.0.0.1) and through MSW's handler resolution, for every operation in the spec, and the
// answers (status, media type, body, CORS and Allow headers) must be the same, except for the differences listed below with
// their reason. A new difference fails this test until it is fixed or listed (and documented).
import { getResponse } from "msw";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHandlers } from "../../src/msw.js";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";
import { bundleSpec, type Json } from "../support/spec.js";

const AUTH = "Bearer hk-parity";
const OTHER_ID = "00000000-0000-4000-8000-000000000000";
const LOCAL = "http://127.0.0.1:4010";

/** Differences from the Prism mock, by request label, with why. Each is documented in the README. */
const KNOWN_DIFFERENCES: Record<string, string> = {
  "a UUID without hyphens":
    "the API's validator accepts this form, the spec's pattern does not: the handlers' 422 quotes the pattern, " +
    "the mock's claims a length error",
};

interface Probe {
  label: string;
  method?: string;
  id?: (documented: string) => string;
  query?: string;
  headers?: Record<string, string>;
}

const PROBES: Probe[] = [
  { label: "documented id" },
  { label: "documented id in upper case", id: (id) => id.toUpperCase() },
  { label: "another well-formed id", id: () => OTHER_ID },
  { label: "no token", headers: { Authorization: "" } },
  { label: "Basic credentials", headers: { Authorization: "Basic aGs6dGVzdA==" } },
  { label: "Bearer undefined", headers: { Authorization: "Bearer undefined" } },
  { label: "Bearer null", headers: { Authorization: "Bearer null" } },
  { label: "lower-case bearer scheme", headers: { Authorization: "bearer hk-parity" } },
  { label: "the 422 example's id", id: () => "not-a-uuid" },
  { label: "another non-UUID id", id: () => "zzz" },
  { label: "malformed %-escape", id: () => "%ZZ" },
  { label: "a UUID without hyphens", id: (id) => id.replaceAll("-", "") },
  { label: "non-UUID id and no token", id: () => "zzz", headers: { Authorization: "" } },
  { label: "Prefer: code=404", headers: { Prefer: "code=404" } },
  { label: "Prefer: code=500", headers: { Prefer: "code=500" } },
  { label: "Prefer: example=nope", headers: { Prefer: "example=nope" } },
  { label: "Prefer: code=404, example=nope", headers: { Prefer: "code=404, example=nope" } },
  { label: "Prefer: code=200 on another id", id: () => OTHER_ID, headers: { Prefer: "code=200" } },
  { label: "?__code=404", query: "__code=404" },
  { label: "?__code=404 with a Prefer header", query: "__code=404", headers: { Prefer: "dynamic=false" } },
  { label: "Prefer without a token", headers: { Authorization: "", Prefer: "code=200" } },
  { label: "a token with a space", headers: { Authorization: "Bearer hk parity" } },
  { label: "the scheme alone", headers: { Authorization: "Bearer" } },
  { label: "Prefer: code=abc", headers: { Prefer: "code=abc" } },
  { label: "?__dynamic=maybe", query: "__dynamic=maybe" },
  { label: "Prefer parameters after ;", headers: { Prefer: "code=404; example=nope" } },
  { label: "Prefer: dynamic=true (fresh secret: compared without it)", headers: { Prefer: "dynamic=true" } },
  { label: "undocumented method", method: "PATCH" },
  { label: "OPTIONS that is not a preflight", method: "OPTIONS" },
  {
    label: "CORS preflight",
    method: "OPTIONS",
    headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" },
  },
];

let mock: MockProcess;
let spec: Json;
beforeAll(async () => {
  spec = bundleSpec();
  mock = await startMockProcess(["--quiet"]);
});
afterAll(async () => {
  await mock?.stop();
});

interface Seen {
  status: number;
  type: string;
  body: unknown;
  headers: Record<string, string>;
}

const COMPARED_HEADERS = [
  "allow",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-allow-credentials",
];

/** What is compared; a fresh secret and a moved updated_at are replaced by their shape. */
async function seen(response: Response, fresh: boolean): Promise<Seen> {
  const text = await response.text();
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  let body = text === "" ? undefined : (JSON.parse(text) as unknown);
  if (fresh && typeof body === "object" && body !== null && "secret" in body) {
    const { secret, updated_at, ...rest } = body as Json;
    body = {
      ...rest,
      secret: /^whsec_[A-Za-z0-9_-]{43}$/.test(String(secret)) ? "whsec_<fresh>" : secret,
      updated_at: Date.parse(String(updated_at)) > Date.now() - 60_000 ? "<now>" : updated_at,
    };
  }
  const headers = Object.fromEntries(
    COMPARED_HEADERS.flatMap((name) =>
      response.headers.has(name) ? [[name, response.headers.get(name)!]] : [],
    ),
  );
  return { status: response.status, type, body, headers };
}

function operations(): Array<{ method: string; path: string; id: string }> {
  const found: Array<{ method: string; path: string; id: string }> = [];
  for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const parameter = (operation.parameters as Array<{ in: string; example?: string }> | undefined)?.find(
        (candidate) => candidate.in === "path",
      );
      if (parameter?.example) found.push({ method: method.toUpperCase(), path, id: parameter.example });
    }
  }
  return found;
}

describe("the handlers next to the Prism mock", () => {
  it("answer every probe of every operation alike, but for the listed differences", async () => {
    const handlers = createHandlers({ baseUrls: [LOCAL] });
    const differences: Record<string, { mock: Seen; msw: Seen }> = {};
    const listed = new Set<string>();
    for (const operation of operations()) {
      for (const probe of PROBES) {
        const path = operation.path.replace(/\{[^}]+\}/, (probe.id ?? ((id) => id))(operation.id));
        const suffix = `${path}${probe.query ? `?${probe.query}` : ""}`;
        const headers = { Authorization: AUTH, ...probe.headers };
        if (headers.Authorization === "") delete (headers as Record<string, string>).Authorization;
        const init = { method: probe.method ?? operation.method, headers };
        const fresh = probe.label.includes("dynamic=true");
        const fromMock = await seen(await fetch(mock.url + suffix, init), fresh);
        const answer = await getResponse(handlers, new Request(LOCAL + suffix, init));
        if (!answer) throw new Error(`the handlers did not answer ${init.method} ${suffix}`);
        const fromMsw = await seen(answer, fresh);
        const key = `${operation.method} ${operation.path}: ${probe.label}`;
        try {
          expect(fromMsw).toEqual(fromMock);
        } catch {
          if (probe.label in KNOWN_DIFFERENCES) listed.add(probe.label);
          else differences[key] = { mock: fromMock, msw: fromMsw };
        }
      }
    }
    expect(differences).toEqual({});
    // Listed differences that no longer occur (the mock caught up) should be taken off the list.
    console.info(`Differences from the Prism mock seen: ${[...listed].join("; ") || "none"}.`);
    expect(operations().length).toBeGreaterThan(0);
  });
});
