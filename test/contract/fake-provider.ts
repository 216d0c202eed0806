// A provider that conforms to the contract except for one seeded defect, so that the self-test can show
// each contract check catching exactly that defect. It serves every operation of the spec from the spec's
// own examples (the `id` set to its own webhook), honours `Prefer: code=`, and answers CORS.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isWebhookId } from "../../src/index.js";
import type { OperationContract } from "./operation-contract.js";
import type { Provider } from "./target.js";

const DEFECTS = [
  "missing-secret", // rotate: 200 body without the required `secret`
  "wrong-type", // rotate: 200 body with `disabled: "false"`, a string
  "undocumented-status", // every operation: 403 instead of the documented 401
  "wrong-content-type", // every operation: 404 as text/html
  "ok-for-unknown-id", // every operation: 200 for a webhook it does not have
  "no-cors", // no CORS headers at all
  "get-leaks-secret", // get: 200 body with the signing secret in it
  "ping-status-as-text", // ping: 200 body with `response_status: "200"`, a string
  "ping-502-without-detail", // ping: the 502 (asked for with Prefer) as `{}`
] as const;
export type Defect = (typeof DEFECTS)[number];

export interface FakeProvider extends Provider {
  close(): Promise<void>;
}

const FAKE_WEBHOOK_ID = "9f3c1a52-7b4e-4d21-8c6a-0e5f2d7b9a13";

/** The operation whose path template matches `path`, with the id in it. */
function route(contracts: readonly OperationContract[], method: string, path: string) {
  for (const contract of contracts) {
    const pattern = new RegExp(`^${contract.path.replace("{webhook_id}", "([^/]+)")}$`);
    const id = pattern.exec(path)?.[1];
    if (id !== undefined && contract.method === method) return { contract, id: decodeURIComponent(id) };
  }
  return undefined;
}

export async function startFakeProvider(
  contracts: readonly OperationContract[],
  defect: Defect | "none",
): Promise<FakeProvider> {
  const json = (response: ServerResponse, status: number, body: unknown, type = "application/json") => {
    response.writeHead(status, { "content-type": type });
    response.end(typeof body === "string" ? body : JSON.stringify(body));
  };

  const answer = (request: IncomingMessage, response: ServerResponse) => {
    if (defect !== "no-cors") {
      response.setHeader("access-control-allow-origin", request.headers.origin ?? "*");
      if (request.method === "OPTIONS") {
        response.setHeader("access-control-allow-methods", "GET, POST");
        response.setHeader(
          "access-control-allow-headers",
          request.headers["access-control-request-headers"] ?? "authorization",
        );
        response.writeHead(204).end();
        return;
      }
    }
    const found = route(contracts, request.method ?? "", new URL(request.url ?? "/", "http://fake").pathname);
    if (found === undefined) return json(response, 404, { detail: "Not Found" });
    const { contract, id } = found;
    if (!/^Bearer \S+$/.test(request.headers.authorization ?? "")) {
      return defect === "undocumented-status"
        ? json(response, 403, { message: "Forbidden" })
        : json(response, 401, contract.example("401"));
    }
    if (!isWebhookId(id)) return json(response, 422, contract.example("422"));
    if (id !== FAKE_WEBHOOK_ID && defect !== "ok-for-unknown-id") {
      return defect === "wrong-content-type"
        ? json(response, 404, "<html><body><h1>Not Found</h1></body></html>", "text/html")
        : json(response, 404, contract.example("404"));
    }
    const preferred = /code=(\d{3})/.exec(String(request.headers.prefer ?? ""))?.[1];
    if (preferred !== undefined) {
      const seeded = defect === "ping-502-without-detail" && contract.operationId === "pingWebhook";
      return json(
        response,
        Number(preferred),
        seeded && preferred === "502" ? {} : contract.example(preferred),
      );
    }
    const success = contract.statuses.filter((status) => status.startsWith("2")).sort()[0] ?? "200";
    const body = { ...(contract.example(success) as Record<string, unknown>) };
    if ("id" in body) body.id = id;
    if (contract.operationId === "rotateWebhookSecret") {
      if (defect === "missing-secret") delete body.secret;
      if (defect === "wrong-type") body.disabled = "false";
    }
    if (contract.operationId === "getWebhook" && defect === "get-leaks-secret") {
      body.secret = "whsec_leakedleakedleakedleakedleakedleaked000";
    }
    if (contract.operationId === "pingWebhook" && defect === "ping-status-as-text") {
      body.response_status = String(body.response_status);
    }
    return json(response, Number(success), body);
  };

  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name: `a fake provider (${defect})`,
    baseUrl: `http://127.0.0.1:${port}`,
    token: "hk-fake",
    webhookId: FAKE_WEBHOOK_ID,
    fetch: (input, init) => fetch(input, init),
    extras: new Set(["http-server", "prefer"]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
