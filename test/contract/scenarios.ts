// The contract suite as data: for every operation of the spec, one scenario per documented status, each
// sent through the typed client (openapi-fetch over the generated `paths`) or raw fetch, and the CORS
// checks. `contractChecks` turns them into named checks for one provider; contract.test.ts runs them as
// tests, fake-provider.test.ts runs the very same checks against broken providers and expects failures.
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { paths } from "../../generated/api.js";
import { createRotateClient } from "../../src/index.js";
import {
  type CapturedResponse,
  checkAllowOrigin,
  checkPreflight,
  checkResponse,
  type Problem,
} from "./checks.js";
import type { OperationContract } from "./operation-contract.js";
import { type Provider, SKIP } from "./target.js";

export const ROTATE_PATH = "/api/v2/webhooks/{webhook_id}/rotate" satisfies keyof paths;
type Channel = "client" | "fetch";
const CORS_ORIGIN = "http://localhost:5173";

interface ScenarioRequest {
  webhookId: string;
  authorized: boolean;
  prefer?: string;
}

interface Scenario {
  /** e.g. "401: a request without a bearer token is refused". */
  name: string;
  expectedStatus: number;
  /** A success really changes things on a live API (rotate): send it once, through the typed client. */
  channels: Channel[];
  request(provider: Provider): ScenarioRequest | { skip: string };
}

/** One scenario per documented status: the request that produces it naturally, or `Prefer: code=`. */
function scenariosFor(contract: OperationContract): Scenario[] {
  const statuses = contract.statuses.map(Number);
  const success = statuses.filter((status) => status < 300).sort()[0];
  const scenarios: Scenario[] = [];
  if (success !== undefined) {
    scenarios.push({
      name: `${success}: the documented webhook answers`,
      expectedStatus: success,
      channels: ["client"],
      request: (p) =>
        p.webhookId ? { webhookId: p.webhookId, authorized: true } : { skip: SKIP.noWebhookId },
    });
  }
  const natural: Record<number, Omit<Scenario, "expectedStatus" | "channels">> = {
    401: {
      name: "401: a request without a bearer token is refused",
      // The gateway refuses before any lookup, so any well-formed id will do.
      request: (p) => ({ webhookId: p.webhookId ?? randomUUID(), authorized: false }),
    },
    404: {
      name: "404: a well-formed id the provider does not have is not found",
      request: () => ({ webhookId: randomUUID(), authorized: true }),
    },
    422: {
      name: "422: an id that is not a UUID fails validation",
      request: () => ({ webhookId: "not-a-uuid", authorized: true }),
    },
  };
  for (const status of statuses.filter((status) => status >= 300)) {
    const known = natural[status];
    if (known) {
      scenarios.push({ ...known, expectedStatus: status, channels: ["client", "fetch"] });
      continue;
    }
    scenarios.push({
      name: `${status}: Prefer: code=${status} asks for the documented answer`,
      expectedStatus: status,
      channels: ["client", "fetch"],
      request: (p) =>
        !p.extras.has("prefer")
          ? { skip: SKIP.noPrefer }
          : !p.webhookId
            ? { skip: SKIP.noWebhookId }
            : { webhookId: p.webhookId, authorized: true, prefer: `code=${status}` },
    });
  }
  return scenarios;
}

async function capture(response: Response): Promise<CapturedResponse> {
  return { status: response.status, headers: response.headers, bodyText: await response.text() };
}

type ClientCall = (path: string, init: { params: { path: { webhook_id: string } } }) => Promise<ClientResult>;
type ClientResult = { data?: unknown; error?: unknown };

async function sendWithClient(contract: OperationContract, provider: Provider, request: ScenarioRequest) {
  let raw: Response | undefined;
  const client = createRotateClient({
    baseUrl: provider.baseUrl,
    apiKey: request.authorized ? provider.token : undefined,
    headers: request.prefer ? { Prefer: request.prefer } : undefined,
    // The client's own id check would stop "not-a-uuid" before it is sent; the provider must judge it.
    validateWebhookId: false,
    fetch: async (req) => {
      raw = await provider.fetch(req);
      return raw.clone();
    },
  });
  // One generic call for every operation: openapi-fetch names its methods after HTTP methods.
  const call = (client as unknown as Record<string, ClientCall>)[contract.method];
  if (!call) throw new Error(`The typed client has no ${contract.method} method.`);
  let result: ClientResult;
  try {
    const { data, error } = await call(contract.path, {
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

async function sendWithFetch(contract: OperationContract, provider: Provider, request: ScenarioRequest) {
  const headers: Record<string, string> = {};
  if (request.authorized) headers.Authorization = `Bearer ${provider.token}`;
  if (request.prefer) headers.Prefer = request.prefer;
  const url = provider.baseUrl + contract.path.replace("{webhook_id}", encodeURIComponent(request.webhookId));
  return { response: await capture(await provider.fetch(url, { method: contract.method, headers })) };
}

/** What the typed client made of the answer: `data` for a 2xx, `error` otherwise. */
function checkClientSorting(result: ClientResult, status: number): Problem[] {
  const sorted =
    status < 300 ? result.data !== undefined && result.error === undefined : result.error !== undefined;
  if (sorted) return [];
  return [
    {
      check: "client",
      message: `the typed client did not put the ${status} answer in ${status < 300 ? "data" : "error"}.`,
    },
  ];
}

/** A provider with the spec's examples answers the example itself, for the status and the id it got. */
function checkExample(contract: OperationContract, response: CapturedResponse): Problem[] {
  const status = String(response.status);
  if (!contract.statuses.includes(status) || contract.mediaTypes(status).length === 0) return [];
  let body: unknown;
  try {
    body = JSON.parse(response.bodyText);
  } catch {
    return []; // the json check already says so
  }
  if (isDeepStrictEqual(body, contract.example(status))) return [];
  return [
    {
      check: "example",
      message: `the ${status} body is not the spec's example: ${response.bodyText.slice(0, 120)}`,
    },
  ];
}

async function runScenario(
  contract: OperationContract,
  provider: Provider,
  scenario: Scenario,
  channel: Channel,
): Promise<Problem[] | { skip: string }> {
  const request = scenario.request(provider);
  if ("skip" in request) return request;
  const sent: { response: CapturedResponse; client?: ClientResult } =
    channel === "client"
      ? await sendWithClient(contract, provider, request)
      : await sendWithFetch(contract, provider, request);
  const problems = checkResponse(contract, sent.response, scenario.expectedStatus);
  if (sent.client) problems.push(...checkClientSorting(sent.client, sent.response.status));
  if (provider.extras.has("spec-examples")) problems.push(...checkExample(contract, sent.response));
  return problems;
}

function corsChecks(contract: OperationContract, provider: Provider): Check[] {
  const url = (id: string) => provider.baseUrl + contract.path.replace("{webhook_id}", id);
  const send = async (id: string, init: RequestInit) => capture(await provider.fetch(url(id), init));
  const id = provider.webhookId ?? randomUUID();
  return [
    {
      key: `${contract.operationId} preflight`,
      title: `CORS: a preflight for ${contract.method} with an Authorization header from another origin is answered`,
      run: async () => {
        const response = await send(id, {
          method: "OPTIONS",
          headers: {
            Origin: CORS_ORIGIN,
            "Access-Control-Request-Method": contract.method,
            "Access-Control-Request-Headers": "authorization",
          },
        });
        return checkPreflight(response, CORS_ORIGIN, contract.method);
      },
    },
    {
      key: `${contract.operationId} allow-origin`,
      title: "CORS: a page on another origin can read the success answer",
      run: async () => {
        if (!provider.webhookId) return { skip: SKIP.noWebhookId };
        const headers = { Origin: CORS_ORIGIN, Authorization: `Bearer ${provider.token}` };
        return checkAllowOrigin(
          await send(provider.webhookId, { method: contract.method, headers }),
          CORS_ORIGIN,
        );
      },
    },
    {
      key: `${contract.operationId} allow-origin on 401`,
      title: "CORS: a page on another origin can read an error answer too (401 without a token)",
      run: async () =>
        checkAllowOrigin(
          await send(id, { method: contract.method, headers: { Origin: CORS_ORIGIN } }),
          CORS_ORIGIN,
        ),
    },
  ];
}

export interface Check {
  /** Short and stable, e.g. "rotateWebhookSecret 401 via fetch": the broken-provider test keys on it. */
  key: string;
  title: string;
  /** What is wrong (empty when the provider conforms), or why the check does not apply to it. */
  run(): Promise<Problem[] | { skip: string }>;
}

/** Every check of the contract suite for one provider, grouped by operation. */
export function contractChecks(contracts: readonly OperationContract[], provider: Provider): Check[] {
  return contracts.flatMap((contract) => [
    ...scenariosFor(contract).flatMap((scenario) =>
      scenario.channels.map((channel) => ({
        key: `${contract.operationId} ${scenario.expectedStatus} via ${channel}`,
        title: `${contract.label} ${scenario.name} (${channel === "client" ? "typed client" : "raw fetch"})`,
        run: () => runScenario(contract, provider, scenario, channel),
      })),
    ),
    // CORS is what a browser enforces: it applies only to a provider a browser can reach over HTTP (not to
    // an in-process interceptor), so the checks are not generated at all for the others.
    ...(provider.extras.has("http-server") ? corsChecks(contract, provider) : []),
  ]);
}
