// A frontend on another origin must be able to call the API from a browser: preflight first, then
// Access-Control-Allow-Origin on every answer (errors included, or the page cannot read them).
import { describe, expect, inject, it } from "vitest";
import { checkAllowOrigin, checkPreflight, formatProblems } from "./checks.js";
import { ROTATE_PATH } from "./scenarios.js";
import { SKIP } from "./target.js";

const target = inject("contractTarget");
const ORIGIN = "http://localhost:5173";
const ANY_ID = "00000000-0000-4000-8000-000000000000";
const url = (id: string) => target.baseUrl + ROTATE_PATH.replace("{webhook_id}", id);

async function captured(response: Response) {
  return { status: response.status, headers: response.headers, bodyText: await response.text() };
}

describe("CORS", () => {
  it("answers a preflight for POST with an Authorization header from another origin", async () => {
    const response = await captured(
      await fetch(url(target.webhookId ?? ANY_ID), {
        method: "OPTIONS",
        headers: {
          Origin: ORIGIN,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization",
        },
      }),
    );
    const problems = checkPreflight(response, ORIGIN, "POST");
    expect(problems, formatProblems(problems)).toEqual([]);
  });

  it("lets the page read a successful rotation", async (context) => {
    if (!target.webhookId) return context.skip(SKIP.noWebhookId);
    const response = await captured(
      await fetch(url(target.webhookId), {
        method: "POST",
        headers: { Origin: ORIGIN, Authorization: `Bearer ${target.token}` },
      }),
    );
    expect(response.status).toBe(200);
    expect(checkAllowOrigin(response, ORIGIN)).toEqual([]);
  });

  it("lets the page read an error answer too (401 without a token)", async () => {
    const response = await captured(
      await fetch(url(ANY_ID), { method: "POST", headers: { Origin: ORIGIN } }),
    );
    expect(response.status).toBe(401);
    expect(checkAllowOrigin(response, ORIGIN)).toEqual([]);
  });
});
