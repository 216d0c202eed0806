// The rehearsal, in process, against receivers on 127.0.0.1: one that reads the secrets file on every delivery
// (it survives the rotation) and one that keeps trusting only the old secret (the report must flag it).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  parseRehearsalOptions,
  type RehearsalOptions,
  rehearse,
  renderReport,
  writeReports,
} from "../../src/mock/rehearse.js";
import { SANDBOX_SECRET } from "../../src/mock/sandbox.js";
import { readSecretsFile } from "../../src/secrets-file.js";
import { readWebhookHeaders, verifyWebhook } from "../../src/webhooks/index.js";

const OLD = "whsec_rehearsalOldSecretAAAAAAAAAAAAAAAAAAAAAAAA";
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Verifies each delivery against the secrets `trusted()` returns at that moment; 204 or 401.
async function startReceiver(trusted: () => Promise<string[]>): Promise<string> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      try {
        const { signature, timestamp } = readWebhookHeaders(req.headers);
        verifyWebhook(Buffer.concat(chunks), signature, timestamp, await trusted());
        res.writeHead(204).end();
      } catch {
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

function secretsFile(content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rehearse-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "secrets.txt");
  if (content !== undefined) writeFileSync(path, content, { mode: 0o600 });
  return path;
}

// Short everything: events every 50 ms, a 0.3 s "deploy", a 1 s tolerance window, retries after 0.3, 1 and 3 s
// (room for a loaded machine; a receiver that never takes the new secret makes the run wait for all of them).
function quick(receiver: string, file: string): RehearsalOptions {
  return {
    sandbox: { receiver, eventsEvery: 0.05, retryDelays: [0.3, 1, 3], attemptTimeout: 2 },
    secretsFile: file,
    eventsEvery: 0.05,
    warmUp: 0.4,
    deployDelay: 0.3,
    tolerance: 1,
    quiet: true,
  };
}

describe("a rehearsal", () => {
  it("with a receiver that reads the secrets file loses nothing, and retries cover the deploy delay", async () => {
    const file = secretsFile(`${OLD}\n`);
    const receiver = await startReceiver(() => readSecretsFile(file));
    const steps: string[] = [];
    const report = await rehearse(quick(receiver, file), (line) => steps.push(line));

    expect(report.lost).toBe(0);
    expect(report.sent).toBeGreaterThan(10);
    // Events sent during the 0.3 s "deploy" fail once, then their retries (signed with #2) get through.
    expect(report.firstAttemptFailures).toBeGreaterThan(0);
    expect(report.recoveredByRetries).toBe(report.firstAttemptFailures);
    expect(report.switchSeconds).toBeGreaterThanOrEqual(0.3);
    expect(report.ping).toBe("answered 204");
    expect(report.oldSecretsRetired).toBe(1);
    const secrets = await readSecretsFile(file);
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).not.toBe(OLD);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(steps.join("\n")).not.toContain(secrets[0]);
    const text = renderReport(report);
    expect(text).toMatch(/^ {2}lost {24}0 \(goal: 0\)$/m);
    expect(text.split("\n").at(-1)).toBe("PASS: no event lost; the receiver survives this rotation.");
  }, 20_000);

  it("with a receiver that trusts only the old secret is flagged: events lost, new secret never taken", async () => {
    const file = secretsFile(`${OLD}\n`);
    const receiver = await startReceiver(async () => [OLD]);
    // Every retry fails here whatever its delay, so short ones only make the run end sooner.
    const options = quick(receiver, file);
    const report = await rehearse(
      { ...options, sandbox: { ...options.sandbox, retryDelays: [0.1, 0.2, 0.3] } },
      () => undefined,
    );

    expect(report.lost).toBeGreaterThan(0);
    expect(report.switchSeconds).toBeUndefined();
    expect(report.ping).toBe("answered 401");
    const text = renderReport(report);
    expect(text).toContain(`FAIL: ${report.lost} event(s) lost.`);
    expect(text).toMatch(/receiver took new secret +NEVER/);
    expect(text).toContain("must trust the old AND the new secret");
  }, 20_000);

  it("creates a missing secrets file holding the sandbox secret and starts with it", async () => {
    const file = secretsFile();
    const receiver = await startReceiver(() => readSecretsFile(file));
    const steps: string[] = [];
    const report = await rehearse(
      { ...quick(receiver, file), warmUp: 0.1, tolerance: 0.2, deployDelay: 0 },
      (line) => steps.push(line),
    );
    expect(steps[0]).toMatch(/held no secret: wrote the sandbox secret/);
    expect(report.lost).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain(SANDBOX_SECRET); // retired at the end
  }, 20_000);
});

describe("a rehearsal, watched and filed", () => {
  it("with --watch serves the watch-only page on 127.0.0.1 while it runs, to this machine's names only", async () => {
    const file = secretsFile(`${OLD}\n`);
    const receiver = await startReceiver(() => readSecretsFile(file));
    let visits: Promise<Array<[number, string]>> | undefined;
    const report = await rehearse(
      { ...quick(receiver, file), warmUp: 0.2, tolerance: 0.3, deployDelay: 0, watch: true },
      (line) => {
        const url = /^0\. watch it live: (http:\/\/127\.0\.0\.1:\d+\/_sandbox\/)$/.exec(line)?.[1];
        if (url === undefined) return;
        // node:http rather than fetch: fetch will not send a Host header of our choosing.
        const visit = (host: string) =>
          new Promise<[number, string]>((resolve, reject) => {
            const target = new URL(url);
            request(
              { host: "127.0.0.1", port: target.port, path: target.pathname, headers: { host } },
              (res) => {
                let body = "";
                res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
                res.on("end", () => resolve([res.statusCode ?? 0, body]));
              },
            )
              .on("error", reject)
              .end();
          });
        visits = Promise.all([
          visit(new URL(url).host),
          visit(`localhost:${new URL(url).port}`),
          visit("rebound.example:80"),
        ]);
      },
    );
    const [own, localhost, foreign] = (await visits) ?? [];
    expect(own?.[0]).toBe(200);
    expect(own?.[1]).toContain("this page only watches it");
    expect(own?.[1]).not.toContain('id="rotate"');
    expect(localhost?.[0]).toBe(200);
    expect(foreign?.[0]).toBe(403);
    expect(report.lost).toBe(0);
  }, 20_000);

  it("--report and --report-json file the run: verdict, counts and every event, with no secret", async () => {
    const file = secretsFile(`${OLD}\n`);
    const receiver = await startReceiver(() => readSecretsFile(file));
    const dir = mkdtempSync(join(tmpdir(), "rehearse-report-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const options = {
      ...quick(receiver, file),
      report: join(dir, "rehearsal.html"),
      reportJson: join(dir, "rehearsal.json"),
    };
    const report = await rehearse(options, () => undefined);
    expect(await writeReports(report, options)).toEqual([options.report, options.reportJson]);

    const data = JSON.parse(readFileSync(options.reportJson, "utf8"));
    expect(data).toMatchObject({
      verdict: "PASS",
      verdict_detail: ["PASS: no event lost; the receiver survives this rotation."],
      receiver,
      started_at: report.startedAt,
      finished_at: report.finishedAt,
      parameters: { "--secrets-file": file, "--retry-delays": "0.3, 1, 3 s", "--deploy-delay": "0.3 s" },
    });
    expect(data.findings).toContainEqual(["lost", "0 (goal: 0)"]);
    expect(data.timeline.summary).toMatchObject({
      sent: report.sent,
      failed_first_attempt: report.firstAttemptFailures,
      recovered_by_retries: report.recoveredByRetries,
      lost: 0,
    });
    expect(data.timeline.rows).toHaveLength(report.sent);
    expect(data.timeline.markers.map((marker: { kind: string }) => marker.kind)).toEqual([
      "rotation",
      "ping",
      "retirement",
    ]);
    const html = readFileSync(options.report, "utf8");
    expect(html).toContain('data-testid="verdict">✓ PASS<');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/);
    const [secret] = await readSecretsFile(file);
    for (const text of [html, readFileSync(options.reportJson, "utf8")]) {
      expect(text).not.toContain(OLD);
      expect(text).not.toContain(secret);
    }
  }, 20_000);
});

describe("rehearsal options", () => {
  it("need a receiver and a secrets file", () => {
    expect(() => parseRehearsalOptions(["--secrets-file", "s.txt"])).toThrow(/--receiver <url>/);
    expect(() => parseRehearsalOptions(["--receiver", "http://127.0.0.1:1"])).toThrow(
      /--secrets-file <path>/,
    );
  });

  it("take the receiver from MOCK_RECEIVER, the sandbox's flags, and seconds with decimals", () => {
    const parsed = parseRehearsalOptions(
      ["--secrets-file", "s.txt", "--tolerance", "1.5", "--retry-delays", "0.1,0.2", "--deploy-delay", "0"],
      { MOCK_RECEIVER: "http://127.0.0.1:8787/" },
    );
    expect(parsed).toMatchObject({
      help: false,
      options: {
        sandbox: { receiver: "http://127.0.0.1:8787/", retryDelays: [0.1, 0.2] },
        eventsEvery: 1,
        tolerance: 1.5,
        deployDelay: 0,
        warmUp: 10,
      },
    });
    expect(() =>
      parseRehearsalOptions(["--secrets-file", "s", "--receiver", "http://x/", "--tolerance", "5m"]),
    ).toThrow(/--tolerance takes a number of seconds/);
  });

  it("take --report, --report-json and --watch", () => {
    const parsed = parseRehearsalOptions([
      "--secrets-file",
      "s.txt",
      "--receiver",
      "http://127.0.0.1:8787/",
      "--report",
      "r.html",
      "--report-json",
      "r.json",
      "--watch",
    ]);
    expect(parsed).toMatchObject({ options: { report: "r.html", reportJson: "r.json", watch: true } });
  });
});
