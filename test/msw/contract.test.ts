// The contract suite judges the handlers, and would catch broken ones: the very checks that
// test/contract/contract.test.ts runs against every provider are run here against the MSW provider, once
// with the real handlers (nothing found) and once per deliberately broken set, each a plausible mistake
// (an override placed before the real handlers), which must be reported exactly.
import { type HttpHandler, HttpResponse, http } from "msw";
import { beforeAll, describe, expect, it } from "vitest";
import { handlers } from "../../src/msw.js";
import type { Problem } from "../contract/checks.js";
import { type OperationContract, operationContracts } from "../contract/operation-contract.js";
import { mswProvider } from "../contract/providers/msw.js";
import { contractChecks } from "../contract/scenarios.js";
import { bundleSpec } from "../support/spec.js";

const ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const ROTATE = "https://agp.eu.hcompany.ai/api/v2/webhooks/:webhook_id/rotate";
const WEBHOOK = "https://agp.eu.hcompany.ai/api/v2/webhooks/:webhook_id";

let contracts: OperationContract[];
beforeAll(() => {
  contracts = operationContracts(bundleSpec());
});

const rotated = () =>
  contracts.find((c) => c.operationId === "rotateWebhookSecret")!.example("200") as object;

/** Every check of the suite against `set`: the problems found by check key, and what was skipped. */
async function findings(set: HttpHandler[]) {
  const found: Record<string, Problem[]> = {};
  const skipped = new Set<string>();
  for (const check of contractChecks(contracts, mswProvider(set, "handlers under test", ID))) {
    const outcome = await check.run();
    if ("skip" in outcome) skipped.add(outcome.skip);
    else if (outcome.length > 0) found[check.key] = outcome;
  }
  return { found, skipped: [...skipped] };
}

/** The first problem of each finding, by key: enough to see which check caught what. */
const firstChecks = (found: Record<string, Problem[]>) =>
  Object.fromEntries(Object.entries(found).map(([key, problems]) => [key, problems[0]?.check]));

describe("the contract suite against MSW handler sets", () => {
  it("finds nothing wrong with the real handlers, and skips no check", async () => {
    const { found, skipped } = await findings(handlers);
    expect(found).toEqual({});
    expect(skipped).toEqual([]);
  });

  it("reports an override whose rotate answer lost the secret", async () => {
    const { secret: _, ...withoutSecret } = rotated() as { secret: string };
    const broken = [
      http.post(ROTATE, ({ params, request }) =>
        params.webhook_id === ID && request.headers.has("authorization")
          ? HttpResponse.json(withoutSecret)
          : undefined,
      ),
      ...handlers,
    ];
    expect((await findings(broken)).found).toEqual({
      "rotateWebhookSecret 200 via client": [
        { check: "schema", pointer: "", message: "must have required property 'secret'" },
        expect.objectContaining({ check: "example" }),
      ],
    });
  });

  it("reports an override that rotates any webhook, known or not", async () => {
    const broken = [http.post(ROTATE, () => HttpResponse.json(rotated())), ...handlers];
    const { found } = await findings(broken);
    // Without a token or with a bad id it still answers 200: every error scenario of rotate catches it.
    expect(firstChecks(found)).toEqual({
      "rotateWebhookSecret 401 via client": "status",
      "rotateWebhookSecret 401 via fetch": "status",
      "rotateWebhookSecret 404 via client": "status",
      "rotateWebhookSecret 404 via fetch": "status",
      "rotateWebhookSecret 422 via client": "status",
      "rotateWebhookSecret 422 via fetch": "status",
    });
    expect(found["rotateWebhookSecret 404 via fetch"]![0]).toEqual({
      check: "status",
      message: "expected 404, got 200.",
    });
  });

  it("reports an override that answers a missing webhook with an HTML page", async () => {
    const broken = [
      http.get(WEBHOOK, ({ params }) =>
        params.webhook_id !== ID && /^[0-9a-f-]{36}$/.test(String(params.webhook_id))
          ? new HttpResponse("<h1>Not Found</h1>", { status: 404, headers: { "content-type": "text/html" } })
          : undefined,
      ),
      ...handlers,
    ];
    const { found } = await findings(broken);
    expect(found).toEqual({
      "getWebhook 404 via client": [
        {
          check: "content-type",
          message: 'Content-Type "text/html" for 404; the spec documents application/json.',
        },
      ],
      "getWebhook 404 via fetch": [
        {
          check: "content-type",
          message: 'Content-Type "text/html" for 404; the spec documents application/json.',
        },
      ],
    });
  });

  it("reports a ping override with a status the spec does not document", async () => {
    const broken = [
      http.post("https://agp.eu.hcompany.ai/api/v2/webhooks/:webhook_id/ping", ({ request }) =>
        request.headers.has("authorization")
          ? undefined
          : HttpResponse.json({ message: "Forbidden" }, { status: 403 }),
      ),
      ...handlers,
    ];
    expect(firstChecks((await findings(broken)).found)).toEqual({
      "pingWebhook 401 via client": "undocumented-status",
      "pingWebhook 401 via fetch": "undocumented-status",
    });
  });
});
