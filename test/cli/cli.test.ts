// `hai-webhook-rotate` as an operator runs it: the built CLI (dist/src/cli.js) as its own process, against
// the mock server started as a process (dynamic secrets, so each rotation returns a new one) and against a
// local node:http stand-in for the answers the mock does not give (5xx, silence, cut bodies). Each
// documented exit status is produced by its real cause.
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  type ExpectStatic,
  expect,
  expect as globalExpect,
  it,
} from "vitest";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";
import { ROOT } from "../support/spec.js";

const CLI = join(ROOT, "dist", "src", "cli.js");
const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const KEY = "hk-cliTestKeyThatMustNeverBePrinted0123";
const OLD = "whsec_currentSecretTheReceiverTrusts0000000";
const SECRET_LINE = /^whsec_[A-Za-z0-9+/=_-]+$/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  started?: (child: ChildProcess, stderr: () => string) => void,
  uid?: number,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
      cwd: uid === undefined ? dir : ROOT,
      ...(uid === undefined ? {} : { uid, gid: uid }),
      env: { PATH: process.env.PATH, HAI_API_KEY: KEY, HAI_BASE_URL: mock.url, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr?.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    started?.(child, () => stderr);
  });
}

/** Asserts that neither the API key nor any secret but `allowedOnStdout` appears anywhere. */
function expectNothingLeaked(run: Run, allowedOnStdout?: string, expect: ExpectStatic = globalExpect) {
  expect(run.stdout + run.stderr).not.toContain(KEY.slice(3));
  expect(run.stderr).not.toMatch(/whsec_[A-Za-z0-9]{8}/);
  if (allowedOnStdout === undefined) expect(run.stdout).toBe("");
  else expect(run.stdout).toBe(`${allowedOnStdout}\n`);
}

let mock: MockProcess;
let dir: string;
let file: string;

beforeAll(async () => {
  const built = statSync(CLI, { throwIfNoEntry: false });
  const sources = readdirSync(join(ROOT, "src"))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(ROOT, "src", name));
  if (!built || sources.some((source) => statSync(source).mtimeMs > built.mtimeMs))
    throw new Error("dist/src/cli.js is missing or older than src/: run `npm run build` first.");
  mock = await startMockProcess(["--dynamic", "--quiet"]);
  return () => mock.stop();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rotate-cli-"));
  file = join(dir, "webhook-secrets");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const secretsInFile = () => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("rotate against the mock server", () => {
  it("stores the new secret as the last line of a 0600 file, keeps the old one, prints no secret, exits 0", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o644 });
    const run = await runCli(["rotate", WEBHOOK_ID, "--secrets-file", file]);
    expect(run.code).toBe(0);
    const [old, fresh, ...rest] = secretsInFile();
    expect({ old, rest }).toEqual({ old: OLD, rest: [] });
    expect(fresh).toMatch(SECRET_LINE);
    expect(fresh).not.toBe(OLD);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stderr).toContain(`stored it as the last of 2 secrets in ${file}`);
    expect(run.stderr).toContain(`hai-webhook-rotate retire --secrets-file ${file}`);
    expectNothingLeaked(run);
    expect(readdirSync(dir)).toEqual(["webhook-secrets"]);
  });

  it("creates a missing file with mode 0600 and says it holds only the new secret", async () => {
    const run = await runCli(["rotate", WEBHOOK_ID, "--secrets-file", file]);
    expect(run.code).toBe(0);
    expect(secretsInFile()).toEqual([expect.stringMatching(SECRET_LINE)]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stderr).toContain("it now holds only the new secret");
    expectNothingLeaked(run);
  });

  it("with --print, also writes exactly the stored secret on standard output", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const run = await runCli(["rotate", WEBHOOK_ID, "--secrets-file", file, "--print"]);
    expect(run.code).toBe(0);
    const stored = secretsInFile().at(-1);
    expect(stored).toMatch(SECRET_LINE);
    expectNothingLeaked(run, stored);
  });

  it("exits 3 and changes nothing when the API answers 404 for an unknown webhook", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const run = await runCli(["rotate", UNKNOWN_ID, "--secrets-file", file]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error \(not rotated\): .*HTTP 404/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
    expectNothingLeaked(run);
  });
});

describe("get and ping against the mock server", () => {
  it("get prints the webhook as JSON on standard output, with no secret, and exits 0", async () => {
    const run = await runCli(["get", WEBHOOK_ID]);
    expect(run.code).toBe(0);
    const webhook = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(webhook).toMatchObject({ id: WEBHOOK_ID, lastSuccessAt: expect.any(String) });
    expect(run.stdout).not.toContain("whsec_");
    expect(run.stderr).toBe("");
  });

  it("ping reports the status the receiver answered and exits 0", async () => {
    const run = await runCli(["ping", WEBHOOK_ID]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^Test delivery sent to webhook .*; your receiver answered HTTP \d{3}\.\n$/);
    expect(run.stdout).toBe("");
  });

  it("get and ping exit 3 for an unknown webhook", async () => {
    for (const command of ["get", "ping"]) {
      const run = await runCli([command, UNKNOWN_ID]);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^error \(refused\): .*HTTP 404/);
    }
  });
});

// A local stand-in API: each test says how it answers, and counts what it received.
describe("rotate against a stand-in server", () => {
  let server: Server;
  let url: string;
  let requests: string[];
  let answer: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      answer(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
  });
  beforeEach(() => {
    requests = [];
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
  });

  const rotate = (...extra: string[]) =>
    runCli(["rotate", WEBHOOK_ID, "--secrets-file", file, ...extra], { HAI_BASE_URL: url });
  const rotatedBody = (secret: string) =>
    JSON.stringify({
      id: WEBHOOK_ID,
      url: "https://example.com/hooks",
      secret,
      created_at: "2026-07-01T10:00:00Z",
    });
  const unchanged = () => expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);

  it("exits 3 on a 401 (and the key the server echoes back is not printed)", async () => {
    answer = (req, res) =>
      res
        .writeHead(401, { "Content-Type": "application/json" })
        .end(JSON.stringify({ message: `Invalid key ${req.headers.authorization}` }));
    const run = await rotate();
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error \(not rotated\): .*HTTP 401/);
    expect(requests).toEqual([`POST /api/v2/webhooks/${WEBHOOK_ID}/rotate`]);
    unchanged();
    expectNothingLeaked(run);
  });

  it("exits 3 on a 422", async () => {
    answer = (_req, res) =>
      res
        .writeHead(422, { "Content-Type": "application/json" })
        .end(JSON.stringify({ detail: [{ loc: ["path", "webhook_id"], msg: "bad", type: "uuid_parsing" }] }));
    const run = await rotate();
    expect(run.code).toBe(3);
    unchanged();
  });

  it("exits 3 after exactly one request on a redirect, following nothing", async () => {
    answer = (req, res) => res.writeHead(307, { Location: `${url}${req.url}` }).end();
    const run = await rotate();
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error \(not rotated\): .*307/);
    expect(requests).toEqual([`POST /api/v2/webhooks/${WEBHOOK_ID}/rotate`]);
    unchanged();
    expectNothingLeaked(run);
  });

  it("ping exits 3 when the platform could not reach the receiver (502)", async () => {
    answer = (_req, res) =>
      res
        .writeHead(502, { "Content-Type": "application/json" })
        .end(JSON.stringify({ detail: "unreachable" }));
    const run = await runCli(["ping", WEBHOOK_ID], { HAI_BASE_URL: url });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error \(refused\): .*could not reach the receiver/);
    expect(requests).toEqual([`POST /api/v2/webhooks/${WEBHOOK_ID}/ping`]);
  });

  it("exits 4 after one request on a 5xx: the outcome is unknown", async () => {
    answer = (_req, res) => res.writeHead(503).end();
    const run = await rotate();
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^error \(outcome unknown: check before rotating again; the secrets file was not changed\)/,
    );
    expect(requests).toHaveLength(1);
    unchanged();
    expectNothingLeaked(run);
  });

  it("exits 4 when no answer comes within --timeout", async () => {
    answer = () => undefined; // never answers
    const run = await rotate("--timeout", "0.5");
    expect(run.code).toBe(4);
    expect(requests).toHaveLength(1);
    unchanged();
  });

  it("exits 4 when the connection is cut before any status", async () => {
    answer = (req) => req.socket.destroy();
    const run = await rotate();
    expect(run.code).toBe(4);
    expect(requests).toHaveLength(1);
    unchanged();
  });

  it("does not give up the answer on a first Ctrl-C: the secret arriving after it is still stored", async () => {
    const secret = "whsec_arrivedAfterCtrlC2222222222222222222222";
    let respond: (() => void) | undefined;
    const received = new Promise<void>((resolve) => {
      answer = (_req, res) => {
        respond = () => res.writeHead(200, { "Content-Type": "application/json" }).end(rotatedBody(secret));
        resolve();
      };
    });
    const run = runCli(
      ["rotate", WEBHOOK_ID, "--secrets-file", file],
      { HAI_BASE_URL: url },
      (child, stderr) => {
        void received.then(async () => {
          child.kill("SIGINT");
          while (!stderr().includes("Waiting for the answer")) await new Promise((r) => setTimeout(r, 10));
          respond?.();
        });
      },
    );
    const result = await run;
    expect(result.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n${secret}\n`);
    expectNothingLeaked(result);
  });

  it("exits 4 on a second Ctrl-C while waiting, leaving the file unchanged", async () => {
    const received = new Promise<void>((resolve) => {
      answer = () => resolve(); // never answers
    });
    const run = runCli(
      ["rotate", WEBHOOK_ID, "--secrets-file", file],
      { HAI_BASE_URL: url },
      (child, stderr) => {
        void received.then(async () => {
          child.kill("SIGINT");
          while (!stderr().includes("Waiting for the answer")) await new Promise((r) => setTimeout(r, 10));
          child.kill("SIGINT");
        });
      },
    );
    const result = await run;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("error (outcome unknown: check before rotating again)");
    unchanged();
  });

  it("exits 6 when a 200 arrives but its body is cut: rotated, secret not received", async () => {
    answer = (_req, res) => {
      const body = rotatedBody("whsec_neverFullyReceived000000000000000000");
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(body.length) });
      res.write(body.slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const run = await rotate();
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/^error \(rotated, but the new secret was not received: rotate again now\)/);
    expect(requests).toHaveLength(1);
    unchanged();
    expectNothingLeaked(run);
  });

  it("exits 6 when a 200 carries no readable secret", async () => {
    answer = (_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end('{"id":"x"}');
    const run = await rotate();
    expect(run.code).toBe(6);
    unchanged();
  });

  it("exits 5 and prints the secret with a loud warning when storing fails after the rotation", async () => {
    const secret = "whsec_rotatedButNotStorable11111111111111111";
    answer = (_req, res) =>
      res.writeHead(200, { "Content-Type": "application/json" }).end(rotatedBody(secret));
    // Another live process (this one) holds the file's lock for longer than the CLI waits.
    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    const run = await rotate("--lock-wait", "0.2");
    expect(run.code).toBe(5);
    expect(run.stdout).toBe(`${secret}\n`);
    expect(run.stderr).toContain("WARNING: THE SECRET OF WEBHOOK");
    expect(run.stderr).toContain("WAS ROTATED, BUT IT COULD NOT BE STORED");
    expect(run.stderr).not.toContain(secret);
    expect(requests).toHaveLength(1);
    unchanged();
  });
});

describe("usage and configuration errors: exit 2, nothing sent", () => {
  let server: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const cases: Array<[string, string[], Record<string, string | undefined>, RegExp]> = [
    [
      "no API key",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE"],
      { HAI_API_KEY: undefined },
      /No API key found/,
    ],
    [
      "a base URL that is not a URL",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE"],
      { HAI_BASE_URL: "nope" },
      /base URL/,
    ],
    ["a webhook id that is not a UUID", ["rotate", "not-a-uuid", "--secrets-file", "FILE"], {}, /UUID/],
    ["no --secrets-file", ["rotate", WEBHOOK_ID], {}, /--secrets-file <path> is required/],
    [
      "a folder that does not exist",
      ["rotate", WEBHOOK_ID, "--secrets-file", "DIR/missing/s"],
      {},
      /does not exist/,
    ],
    [
      "a secrets file that is a folder",
      ["rotate", WEBHOOK_ID, "--secrets-file", "DIR"],
      {},
      /Cannot read the secrets file/,
    ],
    [
      "an unknown option",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE", "--force"],
      {},
      /Unknown option '--force'/,
    ],
    [
      "two ids",
      ["rotate", WEBHOOK_ID, WEBHOOK_ID, "--secrets-file", "FILE"],
      {},
      /expected one webhook id, got 2/,
    ],
    ["a bad --timeout", ["rotate", WEBHOOK_ID, "--secrets-file", "FILE", "--timeout", "0"], {}, /--timeout/],
    [
      "a bad --lock-wait",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE", "--lock-wait", "soon"],
      {},
      /--lock-wait must be/,
    ],
    ["no command", [], {}, /no command given/],
    ["an unknown command", ["rotat"], {}, /unknown command "rotat"/],
  ];
  // Each case is its own process with its own folder, so they run side by side.
  for (const [name, args, env, message] of cases) {
    it.concurrent(`refuses ${name} in one line`, async ({ expect }) => {
      const own = mkdtempSync(join(tmpdir(), "rotate-cli-usage-"));
      const ownFile = join(own, "webhook-secrets");
      try {
        writeFileSync(ownFile, `${OLD}\n`, { mode: 0o600 });
        const actual = args.map((arg) => arg.replace("FILE", ownFile).replace("DIR", own));
        const run = await runCli(actual, { HAI_BASE_URL: url, ...env });
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(message);
        expect(run.stderr.trim().split("\n")).toHaveLength(1);
        expect(run.stderr).toMatch(/^error/);
        expect(requests).toBe(0);
        expect(readFileSync(ownFile, "utf8")).toBe(`${OLD}\n`);
        expectNothingLeaked(run, undefined, expect);
      } finally {
        rmSync(own, { recursive: true, force: true });
      }
    });
  }

  it("refuses a folder this user cannot write in, before sending anything", async () => {
    // Root writes anywhere, so as root the CLI runs as `nobody` against a folder root owns.
    const nobody = process.getuid?.() === 0 ? 65534 : undefined;
    const folder = join(dir, "not-yours");
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(dir, 0o755);
    if (nobody === undefined) chmodSync(folder, 0o555);
    const run = await runCli(
      ["rotate", WEBHOOK_ID, "--secrets-file", join(folder, "secrets")],
      { HAI_BASE_URL: url },
      undefined,
      nobody,
    );
    chmodSync(folder, 0o755);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: cannot write in ${folder}, the folder of --secrets-file. Check its permissions; nothing was sent.\n`,
    );
    expect(requests).toBe(0);
  });

  it("exits 2 when the API cannot be reached at all (connection refused): nothing was sent", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const run = await runCli(["rotate", WEBHOOK_ID, "--secrets-file", file], {
      HAI_BASE_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error \(nothing was sent\): .*ECONNREFUSED/);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
  });

  it("does not echo a stray argument, which may be a pasted secret", async () => {
    const run = await runCli(["retire", OLD, "--secrets-file", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("this command takes no arguments, got 1");
    expect(run.stderr).not.toContain(OLD);
  });
});

describe("retire", () => {
  const A = "whsec_retireA000000000000000000000000000000";
  const B = "whsec_retireB000000000000000000000000000000";
  const C = "whsec_retireC000000000000000000000000000000";

  it("keeps only the newest secret by default, and the newest --keep n on request", async () => {
    writeFileSync(file, `${A}\n${B}\n${C}\n`, { mode: 0o600 });
    const two = await runCli(["retire", "--secrets-file", file, "--keep", "2"]);
    expect(two.code).toBe(0);
    expect(secretsInFile()).toEqual([B, C]);
    expect(two.stderr).toContain("Removed the 1 oldest secret");
    const one = await runCli(["retire", "--secrets-file", file]);
    expect(one.code).toBe(0);
    expect(secretsInFile()).toEqual([C]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expectNothingLeaked(one);
    const again = await runCli(["retire", "--secrets-file", file]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({
      code: 0,
      stderr: `Nothing to retire: ${file} holds 1 secret.\n`,
    });
  });

  it("exits 2 and changes nothing for --keep 0, or a missing file", async () => {
    writeFileSync(file, `${A}\n${B}\n`, { mode: 0o600 });
    const zero = await runCli(["retire", "--secrets-file", file, "--keep", "0"]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("--keep must be a whole number of at least 1");
    expect(secretsInFile()).toEqual([A, B]);
    const missing = await runCli(["retire", "--secrets-file", join(dir, "nothing-here")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: No secrets file at /);
  });
});

describe("--help", () => {
  for (const command of [[], ["rotate"], ["retire"], ["get"], ["ping"]]) {
    it(`${["hai-webhook-rotate", ...command].join(" ")} --help prints its usage and exits 0`, async () => {
      const run = await runCli([...command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: hai-webhook-rotate ${command[0] ?? "<command>"}`));
      expect(run.stderr).toBe("");
    });
  }

  it("documents every exit status the rotate command uses", async () => {
    const { stdout } = await runCli(["rotate", "--help"]);
    for (const status of [0, 2, 3, 4, 5, 6]) expect(stdout).toMatch(new RegExp(`^  ${status}  \\S`, "m"));
  });
});
