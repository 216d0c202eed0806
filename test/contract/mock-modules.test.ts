// The mock's rules on their own: option parsing, secret generation, log lines, tokens and ids.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { describe, expect, inject, it } from "vitest";
import { MockOptionsError, parseMockOptions } from "../../src/mock/cli.js";
import { createMockHandler, formatRequestLine, startMockServer } from "../../src/mock/server.js";
import {
  assertFreshSecretsMatch,
  bearerToken,
  freshSecret,
  type MockEngine,
  MockSpecError,
  pathParameters,
  secretPatterns,
} from "../../src/mock-engine.js";
import { uuidParsingError } from "../../src/uuid.js";

const spec = inject("contractSpec") as { components: { schemas: Record<string, unknown> } };

describe("mock options", () => {
  it("default to 127.0.0.1:4010, static examples, request log on", () => {
    expect(parseMockOptions([], {})).toEqual({
      host: "127.0.0.1",
      port: 4010,
      dynamic: false,
      quiet: false,
      help: false,
      allowedHosts: [],
    });
  });

  it("come from MOCK_* variables when no flag is given", () => {
    const env = { MOCK_PORT: "5000", MOCK_HOST: "::1", MOCK_DYNAMIC: "true", MOCK_QUIET: "1" };
    expect(parseMockOptions([], env)).toEqual({
      host: "::1",
      port: 5000,
      dynamic: true,
      quiet: true,
      help: false,
      allowedHosts: [],
    });
  });

  it("take flags over variables", () => {
    expect(
      parseMockOptions(["-p", "0", "--host", "localhost"], { MOCK_PORT: "5000", MOCK_HOST: "::1" }),
    ).toMatchObject({
      host: "localhost",
      port: 0,
    });
  });

  it.each([
    [["--port", "65536"], {}, '--port must be a port number from 0 to 65535, got "65536".'],
    [[], { MOCK_DYNAMIC: "sometimes" }, 'MOCK_DYNAMIC must be true or false, got "sometimes".'],
    [["--host", " "], {}, "--host / MOCK_HOST must not be empty; use 127.0.0.1 for this machine only."],
    [["extra"], {}, "Unexpected argument 'extra'"],
  ])("refuse %j %j with a message saying what to fix", (argv, env, message) => {
    expect(() => parseMockOptions(argv, env)).toThrow(MockOptionsError);
    expect(() => parseMockOptions(argv, env)).toThrow(message);
  });
});

describe("fresh secrets", () => {
  it("match the secret pattern of the spec and differ on every call", () => {
    const [pattern] = secretPatterns(spec.components.schemas.WebhookWithSecret);
    const secrets = Array.from({ length: 50 }, freshSecret);
    expect(pattern).toBeDefined();
    expect(secrets.filter((secret) => !new RegExp(pattern ?? "$^").test(secret))).toEqual([]);
    expect(new Set(secrets).size).toBe(50);
  });

  it("stop the server from starting when the spec's pattern would reject them", () => {
    expect(() => assertFreshSecretsMatch(["^whsec_[A-Za-z0-9]{86}$"])).toThrow(MockSpecError);
    expect(() => assertFreshSecretsMatch(["^whsec_[A-Za-z0-9]{86}$"])).toThrow("src/mock-engine.ts");
  });
});

describe("request log lines", () => {
  const at = new Date("2026-07-02T09:00:05Z");

  it("show time, method, target, Prefer, status and duration, and no other header", () => {
    const request = {
      method: "POST",
      url: "/api/v2/webhooks/x/rotate",
      headers: { prefer: "code=404", authorization: "Bearer hk-1" },
    };
    expect(formatRequestLine(request, 404, 1.234, at)).toBe(
      "09:00:05  POST /api/v2/webhooks/x/rotate  [Prefer: code=404]  → 404  1.2 ms",
    );
  });

  it("cannot be forged with control characters in the request target", () => {
    const request = { method: "GET", url: "/a\r\n09:00:06  POST /forged  → 200", headers: {} };
    expect(formatRequestLine(request, 404, 0, at)).toBe(
      "09:00:05  GET /a\\r\\n09:00:06  POST /forged  → 200  → 404  0.0 ms",
    );
  });
});

describe("path parameters", () => {
  it("are read from the segments named in the template, decoded", () => {
    expect(pathParameters("/w/{id}/rotate", "/w/a%20b/rotate")).toEqual({ id: "a b" });
  });

  it("are undefined when the path has another shape", () => {
    expect(pathParameters("/w/{id}/rotate", "/w/a/b/rotate")).toBeUndefined();
  });

  it("keep a malformed %-escape as sent, so the 422 can name it", () => {
    expect(pathParameters("/w/{id}/rotate", "/w/%ZZ/rotate")).toEqual({ id: "%ZZ" });
  });
});

describe("bearer tokens", () => {
  it.each([
    ["Bearer hk-test", "hk-test"],
    ["bearer hk-test", "hk-test"],
    ["BEARER  hk-test ", "hk-test"],
  ])("accept %j: the scheme is case-insensitive (RFC 9110)", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    undefined,
    "",
    "Bearer",
    "Bearer ",
    "Bearer undefined",
    "Bearer null",
    "Bearer [object Object]",
    "Basic aGs6dGVzdA==",
    "hk-test",
  ])("refuse %j, the front-end bugs a mock should catch", (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});

describe("the 422 wording", () => {
  it.each([
    [
      "not-a-uuid",
      "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1",
    ],
    ["f47ac10b", "invalid length: expected length 32 for simple format, found 8"],
    ["f47ac10b-58cc-4372", "invalid group count: expected 5, found 3"],
    ["f47ac10b-58cc-4372-a567-0e02b2c3d47", "invalid group length in group 4: expected 12, found 11"],
  ])("names what is wrong with %j", (value, reason) => {
    expect(uuidParsingError(value)).toBe(reason);
  });
});

describe("the request handler", () => {
  it("turns an internal failure into a 500 problem, and keeps serving", async () => {
    // An engine that throws stands for a bug in the rules.
    const broken: MockEngine = {
      operations: [],
      serves: () => true,
      answer: () => Promise.reject(new Error("planted failure")),
    };
    const server = createServer(createMockHandler(broken));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    try {
      const first = await fetch(url, { method: "POST" });
      expect([first.status, first.headers.get("content-type")]).toEqual([500, "application/problem+json"]);
      expect(((await first.json()) as { detail: string }).detail).toMatch(
        /^The mock server failed on this request \(/,
      );
      expect((await fetch(url, { method: "POST" })).status).toBe(500); // still answering
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("the server's sockets", () => {
  it("keeps at most 256 connections open: a flood of idle sockets cannot exhaust file descriptors", async () => {
    const server = await startMockServer({ host: "127.0.0.1", port: 0 });
    const sockets = Array.from({ length: 300 }, () => connect(server.port, "127.0.0.1"));
    try {
      const closedByServer = await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<boolean>((resolve) => {
              socket.once("close", () => resolve(true));
              socket.once("error", () => resolve(true));
              socket.once("connect", () => setTimeout(() => resolve(socket.destroyed), 2_000));
            }),
        ),
      );
      expect(closedByServer.filter(Boolean)).toHaveLength(300 - 256);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
    }
  });
});
