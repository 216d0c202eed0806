// The contract suite: every documented status of every operation of the spec, checked against every
// provider for status, Content-Type and a body valid against the bundled spec's schema, through the typed
// client and raw fetch, plus CORS for providers a browser can reach.
//
// Providers are found in test/contract/providers/ (see target.ts). To add one, create ONE file there:
//
//   // test/contract/providers/staging.ts
//   import type { Provider } from "../target.js";
//   export default (): Provider | undefined => ({
//     name: "staging", baseUrl: "https://staging.example", token: "hk-...", webhookId: undefined,
//     fetch: (input, init) => fetch(input, init), extras: new Set(["http-server"]),
//   });
//
// `fetch` may be any WHATWG fetch (an in-process MSW interceptor works); `extras` lists what it offers
// beyond the contract. fake-provider.test.ts proves these same checks fail on broken providers.
import { describe, expect, inject, it } from "vitest";
import { formatProblems } from "./checks.js";
import { operationContracts } from "./operation-contract.js";
import { contractChecks } from "./scenarios.js";
import { loadProviders } from "./target.js";

const contracts = operationContracts(inject("contractSpec"));
const providers = await loadProviders();

for (const provider of providers) {
  describe(`the contract, against ${provider.name}`, () => {
    for (const check of contractChecks(contracts, provider)) {
      it(check.title, async (context) => {
        const outcome = await check.run();
        if ("skip" in outcome) return context.skip(outcome.skip);
        expect(outcome, formatProblems(outcome)).toEqual([]);
      });
    }
  });
}

it("runs against at least the mock server", () => {
  expect(providers.map((provider) => provider.name)).toContain("the mock server");
});
