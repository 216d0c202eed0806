// Fresh secrets: per request with `Prefer: dynamic=true`, or for every call with `--dynamic`.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { checkResponse, formatProblems } from "./checks.js";
import { type MockProcess, startMockProcess } from "./mock-process.js";
import { operationContract } from "./operation-contract.js";
import { ROTATE_PATH } from "./scenarios.js";

const target = inject("contractTarget");
const contract = operationContract(inject("contractSpec"), ROTATE_PATH, "post");
const EXAMPLE = contract.example("200") as { secret: string; id: string; updated_at: string };
const OTHER_ID = "00000000-0000-4000-8000-000000000000";

async function rotate(baseUrl: string, id: string, prefer?: string) {
  const response = await fetch(baseUrl + ROTATE_PATH.replace("{webhook_id}", id), {
    method: "POST",
    headers: { Authorization: "Bearer hk-test", ...(prefer ? { Prefer: prefer } : {}) },
  });
  const captured = { status: response.status, headers: response.headers, bodyText: await response.text() };
  const problems = checkResponse(contract, captured, response.status);
  expect(problems, formatProblems(problems)).toEqual([]);
  return { status: captured.status, body: JSON.parse(captured.bodyText) as Record<string, unknown> };
}

describe("dynamic secrets", () => {
  it("Prefer: dynamic=true returns a new, schema-valid secret on every call", async () => {
    const first = await rotate(target.baseUrl, EXAMPLE.id, "dynamic=true");
    const second = await rotate(target.baseUrl, EXAMPLE.id, "dynamic=true");
    expect(first.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(new Set([first.body.secret, second.body.secret, EXAMPLE.secret]).size).toBe(3);
  });

  it("keeps the rest of the example, with the path's id and updated_at moved to now", async () => {
    const before = Date.now() - 1000;
    const { body } = await rotate(target.baseUrl, OTHER_ID, "code=200, dynamic=true");
    const { secret: _s, updated_at, ...rest } = body;
    const { secret: _e, updated_at: _u, ...example } = EXAMPLE as unknown as Record<string, unknown>;
    expect(rest).toEqual({ ...example, id: OTHER_ID });
    expect(Date.parse(String(updated_at))).toBeGreaterThanOrEqual(before);
  });

  it("does not turn an unknown id into a 200: dynamic changes the data, not the status", async () => {
    expect(await rotate(target.baseUrl, OTHER_ID, "dynamic=true")).toEqual({
      status: 404,
      body: contract.example("404"),
    });
  });
});

describe("a mock started with --dynamic", () => {
  let mock: MockProcess | undefined;
  beforeAll(async () => {
    mock = await startMockProcess(["--dynamic", "--quiet"]);
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it("returns a fresh secret without any Prefer header", async () => {
    const { body } = await rotate(mock!.url, EXAMPLE.id);
    expect(body.secret).not.toBe(EXAMPLE.secret);
  });

  it("still serves the documented example when asked for Prefer: dynamic=false", async () => {
    expect((await rotate(mock!.url, EXAMPLE.id, "dynamic=false")).body).toEqual(EXAMPLE);
  });

  it("keeps error bodies the documented examples", async () => {
    expect((await rotate(mock!.url, OTHER_ID)).body).toEqual(contract.example("404"));
  });
});
