// Proves the contract suite can fail: the very checks that contract.test.ts runs against every provider
// are run against a fake provider with one seeded defect at a time, and must report exactly that defect.
import { afterEach, describe, expect, inject, it } from "vitest";
import type { Problem } from "./checks.js";
import { type Defect, type FakeProvider, startFakeProvider } from "./fake-provider.js";
import { operationContracts } from "./operation-contract.js";
import { contractChecks } from "./scenarios.js";

const contracts = operationContracts(inject("contractSpec"));
const ORIGIN = "http://localhost:5173";

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Runs every check of the suite against the fake; returns the problems found, by check key. */
async function findings(defect: Defect | "none"): Promise<Record<string, Problem[]>> {
  fake = await startFakeProvider(contracts, defect);
  const found: Record<string, Problem[]> = {};
  for (const check of contractChecks(contracts, fake)) {
    const outcome = await check.run();
    if ("skip" in outcome)
      throw new Error(`${check.key} was skipped (${outcome.skip}): the fake offers it all.`);
    if (outcome.length > 0) found[check.key] = outcome;
  }
  return found;
}

/** The same problems under both channels' keys. */
const both = (key: string, problems: Problem[]) => ({
  [`${key} via client`]: problems,
  [`${key} via fetch`]: problems,
});

/** The same entry for every operation of the spec. */
const everyOperation = (entry: (operationId: string) => Record<string, Problem[]>) =>
  Object.assign({}, ...contracts.map((contract) => entry(contract.operationId)));

describe("the contract checks against a fake provider", () => {
  it("find nothing wrong when the fake has no defect (so every finding below is the seeded one)", async () => {
    expect(await findings("none")).toEqual({});
  });

  it("report a 200 body without the required secret, at the body root", async () => {
    expect(await findings("missing-secret")).toEqual({
      "rotateWebhookSecret 200 via client": [
        { check: "schema", pointer: "", message: "must have required property 'secret'" },
      ],
    });
  });

  it("report a field of the wrong type with its JSON pointer", async () => {
    expect(await findings("wrong-type")).toEqual({
      "rotateWebhookSecret 200 via client": [
        { check: "schema", pointer: "/disabled", message: "must be boolean" },
      ],
    });
  });

  it("report a webhook read (GET) that carries the signing secret", async () => {
    expect(await findings("get-leaks-secret")).toEqual({
      "getWebhook 200 via client": [
        {
          check: "secret",
          message:
            'the 200 body carries a "secret", which its schema does not declare: only rotate may return one.',
        },
      ],
    });
  });

  it("report a ping result whose receiver status is not a number", async () => {
    expect(await findings("ping-status-as-text")).toEqual({
      "pingWebhook 200 via client": [
        { check: "schema", pointer: "/response_status", message: "must be integer" },
      ],
    });
  });

  it("report a ping 502 without its documented detail", async () => {
    expect(await findings("ping-502-without-detail")).toEqual(
      both("pingWebhook 502", [
        { check: "schema", pointer: "", message: "must have required property 'detail'" },
      ]),
    );
  });

  it("report a status the spec does not document", async () => {
    const found = await findings("undocumented-status");
    expect(found).toEqual(
      everyOperation((id) => {
        const contract = contracts.find((candidate) => candidate.operationId === id)!;
        return both(`${id} 401`, [
          {
            check: "undocumented-status",
            message: `${contract.label} answered 403, which the spec does not document (documented: ${contract.statuses.join(", ")}).`,
          },
        ]);
      }),
    );
  });

  it("report a documented status sent with the wrong content type", async () => {
    expect(await findings("wrong-content-type")).toEqual(
      everyOperation((id) =>
        both(`${id} 404`, [
          {
            check: "content-type",
            message: 'Content-Type "text/html" for 404; the spec documents application/json.',
          },
        ]),
      ),
    );
  });

  it("report a 200 for a webhook the provider does not have", async () => {
    expect(await findings("ok-for-unknown-id")).toEqual(
      everyOperation((id) => both(`${id} 404`, [{ check: "status", message: "expected 404, got 200." }])),
    );
  });

  it("report missing CORS headers on the preflight and on the answers", async () => {
    const missing: Problem = {
      check: "cors",
      message: `Access-Control-Allow-Origin is missing; ${ORIGIN} cannot read the response.`,
    };
    expect(await findings("no-cors")).toEqual(
      everyOperation((id): Record<string, Problem[]> => {
        const method = contracts.find((contract) => contract.operationId === id)!.method;
        return {
          [`${id} preflight`]: [
            { check: "cors", message: "the preflight got 404; browsers need a 2xx." },
            missing,
            { check: "cors", message: `Access-Control-Allow-Methods does not list ${method}.` },
            { check: "cors", message: "Access-Control-Allow-Headers does not name Authorization." },
          ],
          [`${id} allow-origin`]: [missing],
          [`${id} allow-origin on 401`]: [missing],
        };
      }),
    );
  });
});
