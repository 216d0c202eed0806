// `npm start` as a user meets it: the cheat sheet must be true, requests are logged without secrets,
// bad settings fail with a clear message, and Ctrl-C stops the process.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../support/spec.js";
import { MOCK_CLI, type MockProcess, startMockProcess } from "./mock-process.js";

const target = inject("contractTarget");
const TOKEN = "hk-never-print-this-7f3a";

/** The cheat sheet's "NNN  curl -X METHOD URL [-H "Name: value"]..." lines, as requests to replay. */
function curlLines(output: string) {
  return [...output.matchAll(/^ {2}(\d{3}) {2}curl -X (\w+) (\S+)((?: -H "[^"]+")*)/gm)].map(
    ([, status, method, url, flags]) => ({
      status: Number(status),
      method: method ?? "",
      url: url ?? "",
      headers: Object.fromEntries(
        [...(flags ?? "").matchAll(/-H "([^:]+): ([^"]+)"/g)].map(([, name, value]) => [name, value]),
      ),
    }),
  );
}

describe("npm start", () => {
  let mock: MockProcess | undefined;
  beforeAll(async () => {
    mock = await startMockProcess();
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it("prints the spec's example webhook id and a curl line per documented status", () => {
    const output = mock!.output();
    expect(output).toContain(`Listening on ${mock!.url}`);
    expect(output).toContain(`Documented webhook_id: ${target.webhookId}`);
    // Per operation, in the spec's order: get, rotate, ping.
    expect(curlLines(output).map((line) => line.status)).toEqual([
      ...[200, 401, 404, 422],
      ...[200, 401, 404, 422],
      ...[200, 400, 401, 404, 422, 502],
    ]);
  });

  it("prints curl lines that really produce the status they are labelled with", async () => {
    const answered = [];
    for (const line of curlLines(mock!.output())) {
      const response = await fetch(line.url, { method: line.method, headers: line.headers });
      await response.arrayBuffer();
      answered.push(response.status);
    }
    expect(answered).toEqual(curlLines(mock!.output()).map((line) => line.status));
  });

  it("logs one line per request with its status, and never the Authorization header", async () => {
    const path = `/api/v2/webhooks/${target.webhookId}/rotate`;
    const response = await fetch(mock!.url + path, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, Prefer: "code=404" },
    });
    await response.arrayBuffer();
    const line = new RegExp(`\\d\\d:\\d\\d:\\d\\d  POST ${path}  \\[Prefer: code=404\\]  → 404  [\\d.]+ ms`);
    // The line crosses a pipe: give it up to 5 s on a busy machine, then check it.
    for (let wait = 0; wait < 250 && !line.test(mock!.output()); wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(mock!.output()).toMatch(line);
    expect(mock!.output()).not.toContain(TOKEN);
  });

  it("logs a malformed Content-Type as a 400 line, with no stack trace", async () => {
    const path = `/api/v2/webhooks/${target.webhookId}/rotate`;
    const response = await fetch(mock!.url + path, {
      method: "POST",
      headers: { Authorization: "Bearer hk-test", "Content-Type": ";;;" },
      body: "{}",
    });
    await response.arrayBuffer();
    const line = new RegExp(`POST ${path}  → 400  [\\d.]+ ms`);
    for (let wait = 0; wait < 250 && !line.test(mock!.output()); wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(mock!.output()).toMatch(line);
    expect(mock!.output()).not.toMatch(/^\s+at /m);
  });

  it("stops on Ctrl-C (SIGINT) with exit code 0 and leaves no process behind", async () => {
    const own = await startMockProcess(["--quiet"]);
    await fetch(`${own.url}/api/v2/webhooks/not-a-uuid`); // --quiet: not logged
    // --quiet prints one line: where the mock listens (no cheat sheet, no request log).
    expect(own.output()).toBe(
      `Listening on ${own.url}  (spec examples; --quiet: no cheat sheet, no request log; Ctrl-C to stop)\n`,
    );
    const exit = await own.stop("SIGINT");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(own.output()).toContain("SIGINT received, stopping the mock server.");
    expect(() => process.kill(own.pid, 0)).toThrow(); // no such process any more
  });

  it("explains a port that is already taken and exits with code 1", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      await expect(startMockProcess(["--port", String(port)])).rejects.toThrow(
        new RegExp(
          `exited \\(code 1\\)[\\s\\S]*Port ${port} on 127\\.0\\.0\\.1 is already in use[\\s\\S]*--port <n> or MOCK_PORT`,
        ),
      );
    } finally {
      blocker.close();
    }
  });

  it("rejects an unknown flag with exit code 2 and the usage", () => {
    const run = spawnSync(process.execPath, [MOCK_CLI, "--prot", "4010"], { cwd: ROOT, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown option '--prot'");
    expect(run.stderr).toContain("Usage: npm start -- [options]");
  });

  it("rejects a port that is not a number, naming the environment variable", () => {
    const run = spawnSync(process.execPath, [MOCK_CLI], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, MOCK_PORT: "80a" },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('MOCK_PORT must be a port number from 0 to 65535, got "80a".');
  });
});
