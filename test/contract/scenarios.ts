// One scenario per documented outcome of the rotate operation, each sendable through the typed client
// (openapi-fetch over the generated `paths`) or raw `fetch`. The contract tests and the fake-provider
// self-test both run this list.
import { randomUUID } from "node:crypto";
import type { paths } from "../../generated/api.js";
import { createRotateClient } from "../../src/client.js";
import { type CapturedResponse, checkResponse, type Problem } from "./checks.js";
import type { OperationContract } from "./operation-contract.js";
import { SKIP } from "./target.js";

export const ROTATE_PATH = "/api/v2/webhooks/{webhook_id}/rotate" satisfies keyof paths;
export type Channel = "client" | "fetch";

export interface Provider {
  baseUrl: string;
  token: string;
  webhookId: string | undefined;
  kind: "mock" | "external";
}

export interface ScenarioRequest {
  webhookId: string;
  authorized: boolean;
  prefer?: string;
}

export interface Scenario {
  name: string;
  expectedStatus: number;
  /** The request to send, or a reason to skip it for this provider. */
  request(provider: Provider): ScenarioRequest | { skip: string };
}

export const scenarios = {
  rotate: {
    name: "200: rotating a webhook the provider has returns it with a new secret",
    expectedStatus: 200,
    request: (p) => (p.webhookId ? { webhookId: p.webhookId, authorized: true } : { skip: SKIP.noWebhookId }),
  },
  missingToken: {
    name: "401: a request without a bearer token is refused",
    expectedStatus: 401,
    // The gateway refuses before any lookup, so any well-formed id will do.
    request: (p) => ({ webhookId: p.webhookId ?? randomUUID(), authorized: false }),
  },
  unknownId: {
    name: "404: a well-formed id the provider does not have is not found",
    expectedStatus: 404,
    request: () => ({ webhookId: randomUUID(), authorized: true }),
  },
  notFoundOnRequest: {
    name: "404: Prefer: code=404 asks the mock for the not-found answer",
    expectedStatus: 404,
    request: (p) =>
      p.kind !== "mock" || !p.webhookId
        ? { skip: SKIP.mockOnly }
        : { webhookId: p.webhookId, authorized: true, prefer: "code=404" },
  },
  notUuid: {
    name: "422: an id that is not a UUID fails validation",
    expectedStatus: 422,
    request: () => ({ webhookId: "not-a-uuid", authorized: true }),
  },
} satisfies Record<string, Scenario>;

export type RotatedWebhook =
  paths[typeof ROTATE_PATH]["post"]["responses"][200]["content"]["application/json"];

export interface Outcome {
  response: CapturedResponse;
  problems: Problem[];
  /** What the typed client returned (client channel only). */
  client?: { data?: RotatedWebhook; error?: unknown };
}

async function capture(response: Response): Promise<CapturedResponse> {
  return { status: response.status, headers: response.headers, bodyText: await response.text() };
}

async function sendWithClient(provider: Provider, request: ScenarioRequest) {
  let raw: Response | undefined;
  const client = createRotateClient({
    baseUrl: provider.baseUrl,
    apiKey: request.authorized ? provider.token : undefined,
    headers: request.prefer ? { Prefer: request.prefer } : undefined,
    // The client's own id check would stop "not-a-uuid" before it is sent; the provider must judge it.
    validateWebhookId: false,
    fetch: async (req) => {
      raw = await fetch(req);
      return raw.clone();
    },
  });
  let result: { data?: RotatedWebhook; error?: unknown };
  try {
    const { data, error } = await client.POST(ROTATE_PATH, {
      params: { path: { webhook_id: request.webhookId } },
    });
    result = { data, error };
  } catch (error) {
    // e.g. a body the client cannot parse; the checks describe what is wrong with it.
    result = { error };
  }
  if (!raw) throw new Error("The client sent nothing.");
  return { response: await capture(raw), client: result };
}

async function sendWithFetch(provider: Provider, request: ScenarioRequest) {
  const headers: Record<string, string> = {};
  if (request.authorized) headers.Authorization = `Bearer ${provider.token}`;
  if (request.prefer) headers.Prefer = request.prefer;
  const url = provider.baseUrl + ROTATE_PATH.replace("{webhook_id}", encodeURIComponent(request.webhookId));
  return { response: await capture(await fetch(url, { method: "POST", headers })) };
}

/** Sends the scenario's request and checks the answer; returns undefined with a reason when skipped. */
export async function runScenario(
  contract: OperationContract,
  provider: Provider,
  scenario: Scenario,
  channel: Channel,
): Promise<Outcome | { skip: string }> {
  const request = scenario.request(provider);
  if ("skip" in request) return request;
  const sent =
    channel === "client" ? await sendWithClient(provider, request) : await sendWithFetch(provider, request);
  return { ...sent, problems: checkResponse(contract, sent.response, scenario.expectedStatus) };
}
