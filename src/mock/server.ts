// Prism used as a library: its router, request validation, Prefer handling, CORS and HTTP server, with
// our mock component (see mock-component.ts) deciding the response.
import { createLogger } from "@stoplight/prism-core";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import { createServer } from "@stoplight/prism-http-server";
import { assertFreshSecretsMatch, secretPatterns } from "./fresh-secret.js";
import { guardedRoute, guardedValidateInput, guardedValidateSecurity } from "./guarded-components.js";
import { createMockComponent } from "./mock-component.js";
import type { HttpOperation } from "./prism-types.js";
import { logRequests } from "./request-log.js";
import { findSpec } from "./spec-location.js";

export interface MockServerOptions {
  host: string;
  port: number;
  dynamic?: boolean;
  /** Receives one line per request; omit for silence. */
  log?: (line: string) => void;
  /** Spec entry file. Default: openapi/openapi.yaml of this package. */
  specPath?: string;
}

export interface RunningMockServer {
  /** Origin the server answers on, e.g. http://127.0.0.1:4010 (the real port when 0 was asked). */
  url: string;
  port: number;
  specPath: string;
  operations: HttpOperation[];
  close(): Promise<void>;
}

/** The port is taken, the host cannot be bound, or similar; the message says what to change. */
export class MockListenError extends Error {
  override readonly name = "MockListenError";
}

function explainListenFailure(reason: string, host: string, port: number): string {
  if (reason.includes("EADDRINUSE")) {
    return (
      `Port ${port} on ${host} is already in use (is another mock still running?). ` +
      "Stop it, or pick another port with --port <n> or MOCK_PORT."
    );
  }
  if (reason.includes("EADDRNOTAVAIL") || reason.includes("ENOTFOUND")) {
    return `Cannot listen on host "${host}": it is not an address of this machine. Use 127.0.0.1 (the default).`;
  }
  if (reason.includes("EACCES")) return `Not allowed to listen on port ${port}; use a port above 1023.`;
  return `Cannot listen on ${host}:${port}: ${reason}`;
}

export async function startMockServer(options: MockServerOptions): Promise<RunningMockServer> {
  const specPath = options.specPath ?? findSpec();
  const operations = await getHttpOperationsFromSpec(specPath);
  for (const operation of operations) {
    assertFreshSecretsMatch(
      operation.responses.flatMap((r) => r.contents ?? []).flatMap((c) => secretPatterns(c.schema)),
    );
  }

  // Prism's own logger prints whole requests, Authorization header included, and costs about 3x in
  // throughput: keep it silent and log one line per request ourselves.
  const logger = createLogger("mock", { level: "silent" });
  const server = createServer(operations, {
    cors: true,
    components: {
      logger,
      mock: createMockComponent(),
      route: guardedRoute,
      validateInput: guardedValidateInput,
      validateSecurity: guardedValidateSecurity,
    },
    config: {
      isProxy: false,
      checkSecurity: true,
      validateRequest: true,
      validateResponse: false, // responses come from the spec's own examples, which lint already validates
      errors: false,
      upstreamProxy: undefined,
      mock: { dynamic: options.dynamic ?? false },
    },
  });

  let address: string;
  try {
    address = await server.listen(options.port, options.host);
  } catch (error) {
    // Prism rejects with the error's message string, not an Error.
    const reason = error instanceof Error ? error.message : String(error);
    throw new MockListenError(explainListenFailure(reason, options.host, options.port));
  }
  // Prism reports "http://<address>:<port>"; rebuild it so an IPv6 host gets its brackets.
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  const url = new URL(`http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`);
  const stopLogging = options.log ? logRequests(port, options.log) : () => undefined;

  return {
    url: url.origin,
    port,
    specPath,
    operations,
    async close() {
      stopLogging();
      await server.close();
    },
  };
}
