// Proves the contract suite can fail: the same scenarios and checks that pass against the mock are run
// against a fake provider with one seeded defect at a time, and must report exactly that defect.
import { afterEach, describe, expect, inject, it } from "vitest";
import { checkAllowOrigin, checkPreflight, type Problem } from "./checks.js";
import { type Defect, type FakeProvider, startFakeProvider } from "./fake-provider.js";
import { operationContract } from "./operation-contract.js";
import {
  type Channel,
  type Provider,
  ROTATE_PATH,
  runScenario,
  type Scenario,
  scenarios,
} from "./scenarios.js";

const contract = operationContract(inject("contractSpec"), ROTATE_PATH, "post");
const ORIGIN = "http://localhost:5173";

let fake: FakeProvider | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** Runs every scenario over both channels plus the CORS checks; returns the problems found, by name. */
async function findings(defect: Defect | "none"): Promise<Record<string, Problem[]>> {
  fake = await startFakeProvider(contract, defect);
  const provider: Provider = {
    kind: "external",
    baseUrl: fake.baseUrl,
    token: "hk-fake",
    webhookId: fake.webhookId,
  };
  const found: Record<string, Problem[]> = {};
  const record = (name: string, problems: Problem[]) => {
    if (problems.length > 0) found[name] = problems;
  };
  for (const [name, scenario] of Object.entries(scenarios) as Array<[string, Scenario]>) {
    for (const channel of ["client", "fetch"] as Channel[]) {
      const outcome = await runScenario(contract, provider, scenario, channel);
      if (!("skip" in outcome)) record(`${name} via ${channel}`, outcome.problems);
    }
  }
  const url = fake.baseUrl + ROTATE_PATH.replace("{webhook_id}", fake.webhookId);
  const preflight = await fetch(url, {
    method: "OPTIONS",
    headers: {
      Origin: ORIGIN,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization",
    },
  });
  record(
    "preflight",
    checkPreflight({ status: preflight.status, headers: preflight.headers, bodyText: "" }, ORIGIN, "POST"),
  );
  const post = await fetch(url, {
    method: "POST",
    headers: { Origin: ORIGIN, Authorization: "Bearer hk-fake" },
  });
  record(
    "allow-origin",
    checkAllowOrigin({ status: post.status, headers: post.headers, bodyText: await post.text() }, ORIGIN),
  );
  return found;
}

const both = (name: string, problems: Problem[]) => ({
  [`${name} via client`]: problems,
  [`${name} via fetch`]: problems,
});

describe("the contract checks against a fake provider", () => {
  it("find nothing wrong when the fake has no defect (so every finding below is the seeded one)", async () => {
    expect(await findings("none")).toEqual({});
  });

  it("report a 200 body without the required secret, at the body root", async () => {
    expect(await findings("missing-secret")).toEqual(
      both("rotate", [{ check: "schema", pointer: "", message: "must have required property 'secret'" }]),
    );
  });

  it("report a field of the wrong type with its JSON pointer", async () => {
    expect(await findings("wrong-type")).toEqual(
      both("rotate", [{ check: "schema", pointer: "/disabled", message: "must be boolean" }]),
    );
  });

  it("report a status the spec does not document", async () => {
    const found = await findings("undocumented-status");
    expect(Object.keys(found)).toEqual(["missingToken via client", "missingToken via fetch"]);
    expect(found["missingToken via fetch"]).toEqual([
      {
        check: "undocumented-status",
        message: `POST ${ROTATE_PATH} answered 403, which the spec does not document (documented: 200, 401, 404, 422).`,
      },
    ]);
  });

  it("report a documented status sent with the wrong content type", async () => {
    expect(await findings("wrong-content-type")).toEqual(
      both("unknownId", [
        {
          check: "content-type",
          message: 'Content-Type "text/html" for 404; the spec documents application/json.',
        },
      ]),
    );
  });

  it("report a 200 for a webhook the provider does not have", async () => {
    expect(await findings("ok-for-unknown-id")).toEqual(
      both("unknownId", [{ check: "status", message: "expected 404, got 200." }]),
    );
  });

  it("report missing CORS headers on the preflight and on the answer", async () => {
    const found = await findings("no-cors");
    expect(Object.keys(found)).toEqual(["preflight", "allow-origin"]);
    expect(found["allow-origin"]).toEqual([
      {
        check: "cors",
        message: `Access-Control-Allow-Origin is missing; ${ORIGIN} cannot read the response.`,
      },
    ]);
    expect(found.preflight?.map((problem) => problem.message)).toEqual([
      "the preflight got 404; browsers need a 2xx.",
      `Access-Control-Allow-Origin is missing; ${ORIGIN} cannot read the response.`,
      "Access-Control-Allow-Methods does not list POST.",
      "Access-Control-Allow-Headers does not name Authorization.",
    ]);
  });
});
