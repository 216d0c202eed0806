// The mock's small modules on their own: option parsing, secret generation, log lines, id matching.

import { createLogger } from "@stoplight/prism-core";
import { describe, expect, inject, it } from "vitest";
import { pathParameters } from "../../src/mock/documented-ids.js";
import {
  assertFreshSecretsMatch,
  freshSecret,
  SecretPatternMismatchError,
  secretPatterns,
} from "../../src/mock/fresh-secret.js";
import { createMockComponent } from "../../src/mock/mock-component.js";
import { MockOptionsError, parseMockOptions } from "../../src/mock/options.js";
import type { MockArguments } from "../../src/mock/prism-types.js";
import { formatRequestLine } from "../../src/mock/request-log.js";

const spec = inject("contractSpec") as { components: { schemas: Record<string, unknown> } };

describe("mock options", () => {
  it("default to 127.0.0.1:4010, static examples, request log on", () => {
    expect(parseMockOptions([], {})).toEqual({
      host: "127.0.0.1",
      port: 4010,
      dynamic: false,
      quiet: false,
      help: false,
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
    expect(() => assertFreshSecretsMatch(["^whsec_[A-Za-z0-9]{86}$"])).toThrow(SecretPatternMismatchError);
    expect(() => assertFreshSecretsMatch(["^whsec_[A-Za-z0-9]{86}$"])).toThrow("src/mock/fresh-secret.ts");
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
      "09:00:05  GET /a??09:00:06  POST /forged  → 200  → 404  0.0 ms",
    );
  });
});

describe("path parameters", () => {
  it("are read from the segments named in the template, decoded", () => {
    expect(pathParameters("/w/{id}/rotate", "/w/a%20b/rotate")).toEqual({ id: "a b" });
  });

  it("are undefined when the path has another shape or a malformed escape", () => {
    expect([
      pathParameters("/w/{id}/rotate", "/w/a/b/rotate"),
      pathParameters("/w/{id}/rotate", "/w/%ZZ/rotate"),
    ]).toEqual([undefined, undefined]);
  });
});

describe("the mock component", () => {
  it("turns an internal failure into a 500 problem, so Prism still answers the request", () => {
    // An operation without `responses` makes the component throw while choosing a response.
    const broken = {
      resource: { id: "x", method: "post", path: "/x", responses: undefined },
      input: { data: { method: "post", url: { path: "/x" } }, validations: [] },
      config: { dynamic: false },
    } as unknown as MockArguments;
    const result = createMockComponent()(broken)(createLogger("test", { level: "silent" }));
    expect(result).toMatchObject({ _tag: "Left", left: { status: 500, message: "Internal Server Error" } });
    expect(result._tag === "Left" && (result.left as { detail?: string }).detail).toMatch(
      /^The mock server failed on this request \(/,
    );
  });
});
