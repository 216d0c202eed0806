/// <reference types="vite/client" />
// What the contract suite runs against: every provider defined in test/contract/providers/. A provider is
// one value; the suite sends every request through its `fetch`, so it may be a server on a port (the
// mock, a staging API) or an in-process interceptor (MSW handlers) with a made-up base URL.
//
// ADDING A PROVIDER is a one-file change: create test/contract/providers/<name>.ts whose default export
// is a function returning a `Provider` (or undefined when it is not configured, e.g. a missing env var).
// `loadProviders` finds it; contract.test.ts and browser-cors.test.ts then run every check against it.
import type { Json } from "../support/spec.js";

/** Features beyond the contract that some providers have; checks that need one are skipped without it. */
type Extra =
  /** A real HTTP server at `baseUrl` that a browser can reach: CORS and browser checks apply. */
  | "http-server"
  /** Answers with the spec's own examples for the documented webhook (byte for byte in content). */
  | "spec-examples"
  /** `Prefer: code=N` returns the documented N answer, so statuses with no natural trigger get checked. */
  | "prefer";

export interface Provider {
  /** Shown in test names, e.g. "mock" or "https://staging.example.com". */
  name: string;
  /** Origin, no trailing slash; request URLs are `baseUrl + path`. */
  baseUrl: string;
  /** A bearer token the provider accepts. */
  token: string;
  /** A webhook the provider has; undefined skips the 2xx checks (against a real API they really rotate). */
  webhookId: string | undefined;
  /** A WHATWG fetch through which every request of the suite goes. */
  fetch: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
  extras: ReadonlySet<Extra>;
}

/** The mock started by the global setup, as test workers receive it (a provided value cannot hold functions). */
type MockTarget = Pick<Provider, "baseUrl" | "token"> & { kind: "mock"; webhookId: string };

declare module "vitest" {
  export interface ProvidedContext {
    contractTarget: MockTarget;
    /** The spec, bundled with every $ref resolved (redocly bundle --dereferenced). */
    contractSpec: Json;
  }
}

/** Skip reasons, attached to each skipped test. */
export const SKIP = {
  noWebhookId: "needs a webhook the provider has: set CONTRACT_WEBHOOK_ID (it will really be rotated)",
  mockOnly:
    "tests the mock server itself (Prefer headers, dynamic secrets, bad input, CLI); against a real API such requests would rotate a real webhook",
  noPrefer: "no natural request produces this status; it is checked on providers with Prefer negotiation",
} as const;

export class ContractTargetError extends Error {
  override readonly name = "ContractTargetError";
}

type ProviderModule = { default: () => Provider | undefined | Promise<Provider | undefined> };

/** Every configured provider in test/contract/providers/, in file-name order. */
export async function loadProviders(): Promise<Provider[]> {
  const modules = import.meta.glob<ProviderModule>("./providers/*.ts", { eager: true });
  const providers: Provider[] = [];
  for (const [file, module] of Object.entries(modules).sort(([a], [b]) => a.localeCompare(b))) {
    if (typeof module.default !== "function")
      throw new ContractTargetError(`${file} must default-export a function returning a Provider.`);
    const provider = await module.default();
    if (provider) providers.push(provider);
  }
  return providers;
}
