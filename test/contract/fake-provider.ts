// A provider that conforms to the contract except for one seeded defect, so that the self-test can
// show each contract check catching exactly that defect. Its bodies are the spec's own examples.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WEBHOOK_ID_PATTERN } from "../../src/index.js";
import type { OperationContract } from "./operation-contract.js";

export const DEFECTS = [
  "missing-secret", // 200 body without the required `secret`
  "wrong-type", // 200 body with `disabled: "false"`, a string
  "undocumented-status", // 403 instead of the documented 401
  "wrong-content-type", // 404 as text/html
  "ok-for-unknown-id", // 200 for a webhook it does not have
  "no-cors", // no CORS headers at all
] as const;
export type Defect = (typeof DEFECTS)[number];

export interface FakeProvider {
  baseUrl: string;
  webhookId: string;
  close(): Promise<void>;
}

const ROUTE = /^\/api\/v2\/webhooks\/([^/]+)\/rotate$/;

export async function startFakeProvider(
  contract: OperationContract,
  defect: Defect | "none",
): Promise<FakeProvider> {
  const webhookId = "9f3c1a52-7b4e-4d21-8c6a-0e5f2d7b9a13";
  const json = (response: ServerResponse, status: number, body: unknown, type = "application/json") => {
    response.writeHead(status, { "content-type": type });
    response.end(typeof body === "string" ? body : JSON.stringify(body));
  };

  const answer = (request: IncomingMessage, response: ServerResponse) => {
    if (defect !== "no-cors") {
      response.setHeader("access-control-allow-origin", request.headers.origin ?? "*");
      if (request.method === "OPTIONS") {
        response.setHeader("access-control-allow-methods", "POST");
        response.setHeader(
          "access-control-allow-headers",
          request.headers["access-control-request-headers"] ?? "authorization",
        );
        response.writeHead(204).end();
        return;
      }
    }
    const id = ROUTE.exec(new URL(request.url ?? "/", "http://fake").pathname)?.[1];
    if (request.method !== "POST" || id === undefined) return json(response, 404, { detail: "Not Found" });
    if (!/^Bearer \S+$/.test(request.headers.authorization ?? "")) {
      return defect === "undocumented-status"
        ? json(response, 403, { message: "Forbidden" })
        : json(response, 401, contract.example("401"));
    }
    if (!WEBHOOK_ID_PATTERN.test(id)) return json(response, 422, contract.example("422"));
    if (id !== webhookId && defect !== "ok-for-unknown-id") {
      return defect === "wrong-content-type"
        ? json(response, 404, "<html><body><h1>Not Found</h1></body></html>", "text/html")
        : json(response, 404, contract.example("404"));
    }
    const body: Record<string, unknown> = { ...(contract.example("200") as Record<string, unknown>), id };
    if (defect === "missing-secret") delete body.secret;
    if (defect === "wrong-type") body.disabled = "false";
    return json(response, 200, body);
  };

  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    webhookId,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
