// Every documented status of the rotate operation, through the typed client and (for errors) raw fetch:
// status, Content-Type, and body validated against the bundled spec's schema. Runs against the mock, or
// against any provider given by CONTRACT_BASE_URL / CONTRACT_TOKEN / CONTRACT_WEBHOOK_ID.
import { describe, expect, inject, it } from "vitest";
import { formatProblems } from "./checks.js";
import { operationContract } from "./operation-contract.js";
import { type Channel, ROTATE_PATH, runScenario, scenarios } from "./scenarios.js";

const target = inject("contractTarget");
const contract = operationContract(inject("contractSpec"), ROTATE_PATH, "post");
const against = target.kind === "mock" ? "the mock server" : target.baseUrl;

describe(`POST ${ROTATE_PATH} against ${against}`, () => {
  for (const scenario of Object.values(scenarios)) {
    const channels: Channel[] = scenario.expectedStatus === 200 ? ["client"] : ["client", "fetch"];
    for (const channel of channels) {
      it(`${scenario.name} (${channel === "client" ? "typed client" : "raw fetch"})`, async (context) => {
        const outcome = await runScenario(contract, target, scenario, channel);
        if ("skip" in outcome) return context.skip(outcome.skip);

        expect(outcome.problems, formatProblems(outcome.problems)).toEqual([]);
        if (outcome.client) {
          // The typed client sorts the answer into `data` or `error` by status.
          if (scenario.expectedStatus === 200) expect(outcome.client.data?.secret).toMatch(/^whsec_/);
          else expect([outcome.client.data, outcome.client.error !== undefined]).toEqual([undefined, true]);
        }
        if (target.kind === "mock") {
          // The mock answers with the spec's own example for that status, byte for byte in content.
          expect(JSON.parse(outcome.response.bodyText)).toEqual(
            contract.example(String(scenario.expectedStatus)),
          );
        }
      });
    }
  }
});
