// `hai-webhook-rotate` as an operator runs it. Most scenarios call the command in-process (`main` with
// injected arguments, environment and output) against the mock server started as a process (dynamic
// secrets) or a local node:http stand-in for the answers the mock does not give. The few that need a
// real process (signals, a closed terminal, the executable itself) spawn the built dist/src/bin.js.
// Exit statuses are read from the command's own table (EXIT), never written as numbers here.
import { EventEmitter } from "node:events";
import {
  chmodSync,
  chownSync,
  lchownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CliContext, EXIT, EXIT_MEANINGS, main } from "../../src/cli.js";
import { type MockProcess, startMockProcess } from "../contract/mock-process.js";
import { ROOT } from "../support/spec.js";
import {
  KEY,
  requireFreshBuild,
  rotatedBody,
  runBin,
  type StandIn,
  startStandIn,
  WEBHOOK_ID,
} from "./harness.js";

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const OLD = "whsec_currentSecretTheReceiverTrusts0000000";
const SECRET_LINE = /^whsec_[A-Za-z0-9+/=_-]+$/;
const ROOT_USER = process.getuid?.() === 0;
const OTHER_USER = 65534;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written, or fails every write as a closed pipe does. */
function sink(closed = false) {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      if (closed) return done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

let mock: MockProcess;
let standIn: StandIn;
let dir: string;
let file: string;

/** Runs the command in this process; the environment holds the key and the stand-in's URL unless overridden. */
async function cli(
  argv: string[],
  env: Record<string, string | undefined> = {},
  extra: Partial<CliContext> & { closedStdout?: boolean } = {},
): Promise<Ran> {
  const out = sink(extra.closedStdout);
  const err = sink();
  const code = await main({
    argv,
    env: { HAI_API_KEY: KEY, HAI_BASE_URL: standIn.url, ...env },
    stdout: out.stream,
    stderr: err.stream,
    signals: new EventEmitter(),
    home: dir,
    ...extra,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Asserts that neither the API key nor any secret but `allowedOnStdout` appears anywhere. */
function expectNothingLeaked(run: Ran, allowedOnStdout?: string) {
  expect(run.stdout + run.stderr).not.toContain(KEY.slice(3));
  expect(run.stderr).not.toMatch(/whsec_[A-Za-z0-9]{8}/);
  expect(run.stdout).toBe(allowedOnStdout === undefined ? "" : `${allowedOnStdout}\n`);
}

beforeAll(async () => {
  [mock, standIn] = await Promise.all([startMockProcess(["--dynamic", "--quiet"]), startStandIn()]);
});
afterAll(async () => {
  await Promise.all([mock.stop(), standIn.close()]);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rotate-cli-"));
  file = join(dir, "webhook-secrets");
  standIn.requests.length = 0;
  standIn.answer = (_req, res) => res.writeHead(500).end();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const secretsInFile = (path = file) => readFileSync(path, "utf8").split("\n").filter(Boolean);
const mode = (path: string) => statSync(path).mode & 0o777;
const rotateArgs = (...extra: string[]) => ["rotate", WEBHOOK_ID, "--secrets-file", file, ...extra];

describe("rotate against the mock server", () => {
  const onMock = { HAI_BASE_URL: "" };
  beforeEach(() => {
    onMock.HAI_BASE_URL = mock.url;
  });

  it("stores the new secret as the last line, keeps the old one and the file's 0640 mode, prints no secret", async () => {
    writeFileSync(file, `${OLD}\n`);
    chmodSync(file, 0o640);
    const run = await cli(rotateArgs(), onMock);
    expect(run.code).toBe(EXIT.done);
    const [old, fresh, ...rest] = secretsInFile();
    expect({ old, rest }).toEqual({ old: OLD, rest: [] });
    expect(fresh).toMatch(SECRET_LINE);
    expect(mode(file)).toBe(0o640);
    expect(run.stderr).toContain(`stored it as the last of 2 secrets in ${file}`);
    expect(run.stderr).toContain(`hai-webhook-rotate retire --secrets-file ${file}`);
    expectNothingLeaked(run);
    expect(readdirSync(dir)).toEqual(["webhook-secrets"]);
  });

  it("creates a missing file with mode 0600 and says it holds only the new secret", async () => {
    const run = await cli(rotateArgs(), onMock);
    expect(run.code).toBe(EXIT.done);
    expect(secretsInFile()).toEqual([expect.stringMatching(SECRET_LINE)]);
    expect(mode(file)).toBe(0o600);
    expect(run.stderr).toContain("it now holds only the new secret");
    expectNothingLeaked(run);
  });

  it("with --print, also writes exactly the stored secret on standard output", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const run = await cli(rotateArgs("--print"), onMock);
    expect(run.code).toBe(EXIT.done);
    const stored = secretsInFile().at(-1);
    expect(stored).toMatch(SECRET_LINE);
    expectNothingLeaked(run, stored);
  });

  it("writes through a symlink of this user's in a private folder to the file it points at", async () => {
    const real = join(dir, "real-secrets");
    writeFileSync(real, `${OLD}\n`, { mode: 0o600 });
    symlinkSync(real, file);
    const run = await cli(rotateArgs(), onMock);
    expect(run.code).toBe(EXIT.done);
    expect(secretsInFile(real)).toEqual([OLD, expect.stringMatching(SECRET_LINE)]);
    expect(statSync(file, { throwIfNoEntry: false }) && readdirSync(dir).sort()).toEqual([
      "real-secrets",
      "webhook-secrets",
    ]);
  });

  it("exits 3 and changes nothing when the API answers 404; get and ping too", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const run = await cli(["rotate", UNKNOWN_ID, "--secrets-file", file], onMock);
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toMatch(/^error \(not rotated\): .*HTTP 404/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
    expectNothingLeaked(run);
    for (const command of ["get", "ping"]) {
      const other = await cli([command, UNKNOWN_ID], onMock);
      expect(other.code).toBe(EXIT.refused);
      expect(other.stderr).toMatch(/^error \(refused\): .*HTTP 404/);
    }
  });

  it("get prints the webhook as JSON with no secret; ping reports the receiver's status", async () => {
    const got = await cli(["get", WEBHOOK_ID], onMock);
    expect(got.code).toBe(EXIT.done);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: WEBHOOK_ID, lastSuccessAt: expect.any(String) });
    expect(got.stdout).not.toContain("whsec_");
    expect(got.stderr).toBe("");
    const pinged = await cli(["ping", WEBHOOK_ID], onMock);
    expect(pinged.code).toBe(EXIT.done);
    expect(pinged.stderr).toMatch(
      /^Test delivery sent to webhook .*; your receiver answered HTTP \d{3}\.\n$/,
    );
    expect(pinged.stdout).toBe("");
  });
});

describe("rotate against a stand-in server: every answer, its exit status", () => {
  beforeEach(() => writeFileSync(file, `${OLD}\n`, { mode: 0o600 }));
  const unchanged = () => expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
  const sentOnce = () => expect(standIn.requests).toEqual([`POST /api/v2/webhooks/${WEBHOOK_ID}/rotate`]);
  const answerJson = (status: number, body: string) => {
    standIn.answer = (_req, res) => res.writeHead(status, { "Content-Type": "application/json" }).end(body);
  };

  it("refused: a 401 (the key the server echoes back is not printed), a 422, a redirect not followed", async () => {
    standIn.answer = (req, res) =>
      res
        .writeHead(401, { "Content-Type": "application/json" })
        .end(JSON.stringify({ message: `Invalid key ${req.headers.authorization}` }));
    const unauthorized = await cli(rotateArgs());
    expect(unauthorized.code).toBe(EXIT.refused);
    expect(unauthorized.stderr).toMatch(/^error \(not rotated\): .*HTTP 401/);
    expectNothingLeaked(unauthorized);
    answerJson(
      422,
      JSON.stringify({ detail: [{ loc: ["path", "webhook_id"], msg: "bad", type: "uuid_parsing" }] }),
    );
    expect((await cli(rotateArgs())).code).toBe(EXIT.refused);
    standIn.requests.length = 0;
    standIn.answer = (req, res) => res.writeHead(307, { Location: `${standIn.url}${req.url}` }).end();
    const redirected = await cli(rotateArgs());
    expect(redirected.code).toBe(EXIT.refused);
    sentOnce();
    unchanged();
  });

  it("ping exits 3 when the platform could not reach the receiver (502)", async () => {
    answerJson(502, JSON.stringify({ detail: "unreachable" }));
    const run = await cli(["ping", WEBHOOK_ID]);
    expect(run.code).toBe(EXIT.refused);
    expect(run.stderr).toMatch(/^error \(refused\): .*could not reach the receiver/);
  });

  it("outcome unknown after one request: a 5xx, no answer within --timeout, a connection cut before any status", async () => {
    standIn.answer = (_req, res) => res.writeHead(503).end();
    const failed = await cli(rotateArgs());
    expect(failed.code).toBe(EXIT.unknown);
    expect(failed.stderr).toMatch(
      /^error \(outcome unknown: check before rotating again; the secrets file was not changed\)/,
    );
    sentOnce();
    expectNothingLeaked(failed);
    standIn.answer = () => undefined; // never answers
    expect((await cli(rotateArgs("--timeout", "0.3"))).code).toBe(EXIT.unknown);
    standIn.answer = (req) => req.socket.destroy();
    expect((await cli(rotateArgs())).code).toBe(EXIT.unknown);
    expect(standIn.requests).toHaveLength(3);
    unchanged();
  });

  it("secret lost: a 200 whose body is cut, or that carries no readable secret", async () => {
    standIn.answer = (_req, res) => {
      const body = rotatedBody("whsec_neverFullyReceived000000000000000000");
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(body.length) });
      res.write(body.slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const cut = await cli(rotateArgs());
    expect(cut.code).toBe(EXIT.secretLost);
    expect(cut.stderr).toMatch(/^error \(rotated, but the new secret was not received: rotate again now\)/);
    expectNothingLeaked(cut);
    answerJson(200, '{"id":"x"}');
    expect((await cli(rotateArgs())).code).toBe(EXIT.secretLost);
    unchanged();
  });

  for (const [name, secret] of [
    ["a NUL", "whsec_before\u0000after000000000000000000000000"],
    ["an ESC sequence", "whsec_\u001b[31mred000000000000000000000000000"],
    ["a space", "whsec_with space0000000000000000000000000"],
    ["a zero-width space", "whsec_invisible\u200b00000000000000000000000000"],
  ]) {
    it(`unusable secret: a 200 whose secret holds ${name} is neither stored nor shown`, async () => {
      answerJson(200, rotatedBody(secret as string));
      const run = await cli(rotateArgs("--print"));
      expect(run.code).toBe(EXIT.unusableSecret);
      expect(run.stderr).toMatch(/^error \(rotated, but the new secret is unusable\): .*rotate again now/);
      expect(run.stderr).not.toContain((secret as string).slice(6, 12));
      expect(run.stdout).toBe("");
      unchanged();
      expect(readdirSync(dir)).toEqual(["webhook-secrets"]);
    });
  }

  it("not stored: the secret goes to a 0600 rescue file and standard output, with what to do", async () => {
    const secret = "whsec_rotatedButNotStorable11111111111111111";
    answerJson(200, rotatedBody(secret));
    // Another live process (this one) holds the file's lock for longer than the command waits.
    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    const run = await cli(rotateArgs("--lock-wait", "0.2"));
    expect(run.code).toBe(EXIT.notStored);
    expect(run.stdout).toBe(`${secret}\n`);
    const [rescued] = readdirSync(dir).filter((name) => name.includes(".unstored-"));
    expect(readFileSync(join(dir, rescued as string), "utf8")).toBe(`${secret}\n`);
    expect(mode(join(dir, rescued as string))).toBe(0o600);
    expect(run.stderr).toContain("WAS ROTATED, BUT IT COULD NOT BE STORED");
    expect(run.stderr).toContain(`saved in ${join(dir, rescued as string)}`);
    expect(run.stderr).toContain(`cat ${join(dir, rescued as string)} >> ${file}`);
    expect(run.stderr).not.toContain(secret);
    sentOnce();
    unchanged();
  });

  it("not stored with standard output closed (EPIPE): the rescue file still holds the secret", async () => {
    const secret = "whsec_rotatedStdoutClosed2222222222222222222";
    answerJson(200, rotatedBody(secret));
    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    const run = await cli(rotateArgs("--lock-wait", "0.1"), {}, { closedStdout: true });
    expect(run.code).toBe(EXIT.notStored);
    const [rescued] = readdirSync(dir).filter((name) => name.includes(".unstored-"));
    expect(readFileSync(join(dir, rescued as string), "utf8")).toBe(`${secret}\n`);
    expect(run.stderr).toMatch(/the new secret is saved in \S+ \(mode 0600\); it cannot be fetched again/);
  });

  it("holds a signal that arrives while the request is out: the answer is still stored", async () => {
    const secret = "whsec_arrivedAfterSignal22222222222222222222";
    const signals = new EventEmitter();
    standIn.answer = (_req, res) => {
      for (const signal of ["SIGHUP", "SIGINT", "SIGINT", "SIGTERM"]) signals.emit(signal, signal);
      setTimeout(
        () => res.writeHead(200, { "Content-Type": "application/json" }).end(rotatedBody(secret)),
        20,
      );
    };
    const run = await cli(rotateArgs(), {}, { signals });
    expect(run.code).toBe(EXIT.done);
    expect(secretsInFile()).toEqual([OLD, secret]);
    expect(run.stderr.match(/received: finishing first/g)).toHaveLength(1);
    expect(signals.listenerCount("SIGINT")).toBe(0); // released once done
  });
});

describe("nothing sent: exit 2, no request, the file unchanged", () => {
  beforeEach(() => writeFileSync(file, `${OLD}\n`, { mode: 0o600 }));
  const refused = async (argv: string[], env: Record<string, string | undefined>, message: RegExp) => {
    const run = await cli(argv, env);
    expect(run.code).toBe(EXIT.notSent);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/^error/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(standIn.requests).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
    expectNothingLeaked(run);
    return run;
  };

  it("no API key: says which variable to set, in the command's words", async () => {
    for (const HAI_API_KEY of [undefined, ""]) {
      const run = await refused(
        rotateArgs(),
        { HAI_API_KEY },
        /no API key: set HAI_API_KEY to your platform key/,
      );
      expect(run.stderr).not.toMatch(/redacted|\{ token \}|option/);
    }
  });

  it("a pasted key with an invisible character (above U+00FF) or a line break cannot be sent", async () => {
    const invisible = await refused(rotateArgs(), { HAI_API_KEY: `${KEY}\u200b` }, /HAI_API_KEY/);
    expect(invisible.stderr).toMatch(/[Nn]othing was sent/);
    await refused(rotateArgs(), { HAI_API_KEY: `${KEY}\n` }, /HAI_API_KEY cannot be sent/);
  });

  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    [
      "a base URL that is not a URL",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE"],
      { HAI_BASE_URL: "nope" },
      /HAI_BASE_URL is not usable/,
    ],
    ["a webhook id that is not a UUID", ["rotate", "not-a-uuid", "--secrets-file", "FILE"], {}, /UUID/],
    ["no --secrets-file", ["rotate", WEBHOOK_ID], {}, /--secrets-file <path> is required/],
    ["a missing folder", ["rotate", WEBHOOK_ID, "--secrets-file", "DIR/missing/s"], {}, /does not exist/],
    ["a folder as the file", ["rotate", WEBHOOK_ID, "--secrets-file", "DIR"], {}, /not a regular file/],
    [
      "two ids",
      ["rotate", WEBHOOK_ID, WEBHOOK_ID, "--secrets-file", "FILE"],
      {},
      /expected one webhook id, got 2/,
    ],
    [
      "a bad --timeout",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE", "--timeout", "0"],
      {},
      /--timeout must be a number of seconds above 0/,
    ],
    [
      "a bad --lock-wait",
      ["rotate", WEBHOOK_ID, "--secrets-file", "FILE", "--lock-wait", "soon"],
      {},
      /--lock-wait must be a number/,
    ],
    ["no command", [], {}, /no command given/],
  ];
  for (const [name, argv, env, message] of cases) {
    it(`refuses ${name} in one line`, async () => {
      const actual = argv.map((arg) => arg.replace("FILE", file).replace("DIR", dir));
      await refused(actual, env, message);
    });
  }

  it("never repeats an argument it did not recognise, which may be a pasted key", async () => {
    const pasted = await refused([KEY], {}, /unknown command \(not repeated here/);
    expect(pasted.stderr).toContain("the commands are rotate, retire, get and ping.");
    const typo = await refused(["rotat"], {}, /did you mean rotate\?/);
    expect(typo.stderr).not.toContain("rotat ");
    const option = await refused([...rotateArgs(), `--${KEY}`], {}, /unknown option \(not repeated here/);
    expect(option.stderr).toContain("Run `hai-webhook-rotate rotate --help`.");
    await refused([...rotateArgs(), "--prnt"], {}, /did you mean --print\?/);
    await refused(["retire", OLD, "--secrets-file", file], {}, /this command takes no arguments, got 1/);
  });

  it("exits 2 when the API cannot be reached at all (connection refused)", async () => {
    const closed = await startStandIn();
    await closed.close();
    await refused(rotateArgs(), { HAI_BASE_URL: closed.url }, /^error \(nothing was sent\): .*ECONNREFUSED/);
  });
});

// The secrets file treated as ssh treats a private key: refused before anything is sent, with the fix.
describe("an unsafe secrets file: exit 2 with the chmod or chown to run, nothing sent", () => {
  // Run as root (CI containers), "another user" is uid 65534; as anyone else these need root to set up.
  const asRoot = ROOT_USER || process.env.CI ? it : it.skip;
  const refusedFile = async (path: string, message: RegExp) => {
    const before = statSync(path, { throwIfNoEntry: false }) && readFileSync(path, "utf8");
    const run = await cli(["rotate", WEBHOOK_ID, "--secrets-file", path]);
    expect(run.code).toBe(EXIT.notSent);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Nothing was sent\.\n$/);
    expect(standIn.requests).toEqual([]);
    if (before) expect(readFileSync(path, "utf8")).toBe(before);
  };

  it("a file others can read, or others than its owner can write", async () => {
    for (const [loose, fixed] of [
      [0o644, "0640"],
      [0o606, "0600"],
      [0o660, "0640"],
    ] as const) {
      writeFileSync(file, `${OLD}\n`);
      chmodSync(file, loose);
      await refusedFile(file, new RegExp(`has mode 0${loose.toString(8)}: .*Run \`chmod ${fixed} ${file}\``));
      expect(mode(file)).toBe(loose);
    }
  });

  asRoot("a file owned by another user", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    chownSync(file, OTHER_USER, OTHER_USER);
    await refusedFile(file, new RegExp(`owned by another user \\(uid ${OTHER_USER}\\).*\`chown 0 ${file}\``));
  });

  asRoot("a symlink owned by another user", async () => {
    const real = join(dir, "real");
    writeFileSync(real, `${OLD}\n`, { mode: 0o600 });
    symlinkSync(real, file);
    lchownSync(file, OTHER_USER, OTHER_USER);
    await refusedFile(file, new RegExp(`symbolic link owned by another user.*\`chown -h 0 ${file}\``));
  });

  for (const folderMode of [0o1777, 0o777]) {
    it(`a symlink in a folder every user can write (mode 0${folderMode.toString(8)})`, async () => {
      const shared = join(dir, "shared");
      mkdirSync(shared);
      chmodSync(shared, folderMode);
      const real = join(dir, "real");
      writeFileSync(real, `${OLD}\n`, { mode: 0o600 });
      symlinkSync(real, join(shared, "secrets"));
      await refusedFile(
        join(shared, "secrets"),
        /symbolic link in .*a folder every user can write to.*realpath/,
      );
    });
  }

  it("a file in a folder every user can write without the sticky bit", async () => {
    const shared = join(dir, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    writeFileSync(join(shared, "secrets"), `${OLD}\n`, { mode: 0o600 });
    await refusedFile(join(shared, "secrets"), /can be written by every user .*chmod o-w/);
  });
});

describe("retire", () => {
  const A = "whsec_retireA000000000000000000000000000000";
  const B = "whsec_retireB000000000000000000000000000000";
  const C = "whsec_retireC000000000000000000000000000000";

  it("keeps only the newest secret by default, and the newest --keep n on request, keeping the mode", async () => {
    writeFileSync(file, `${A}\n${B}\n${C}\n`);
    chmodSync(file, 0o640);
    const two = await cli(["retire", "--secrets-file", file, "--keep", "2"]);
    expect(two.code).toBe(EXIT.done);
    expect(secretsInFile()).toEqual([B, C]);
    expect(two.stderr).toContain("Removed the 1 oldest secret");
    const one = await cli(["retire", "--secrets-file", file]);
    expect(secretsInFile()).toEqual([C]);
    expect(mode(file)).toBe(0o640);
    expectNothingLeaked(one);
    const again = await cli(["retire", "--secrets-file", file]);
    expect(again).toEqual({
      code: EXIT.done,
      stdout: "",
      stderr: `Nothing to retire: ${file} holds 1 secret.\n`,
    });
  });

  it("exits 2 and changes nothing for --keep 0, a missing file, or a file others can read", async () => {
    writeFileSync(file, `${A}\n${B}\n`, { mode: 0o600 });
    const zero = await cli(["retire", "--secrets-file", file, "--keep", "0"]);
    expect(zero.code).toBe(EXIT.notSent);
    expect(zero.stderr).toContain("--keep must be a whole number of at least 1");
    const missing = await cli(["retire", "--secrets-file", join(dir, "nothing-here")]);
    expect(missing.code).toBe(EXIT.notSent);
    expect(missing.stderr).toMatch(/^error: No secrets file at /);
    chmodSync(file, 0o644);
    const loose = await cli(["retire", "--secrets-file", file]);
    expect(loose.code).toBe(EXIT.notSent);
    expect(loose.stderr).toContain(`chmod 0640 ${file}`);
    expect(secretsInFile()).toEqual([A, B]);
  });
});

describe("--help and the exit table", () => {
  for (const command of [[], ["rotate"], ["retire"], ["get"], ["ping"]]) {
    it(`${["hai-webhook-rotate", ...command].join(" ")} --help prints its usage and exits 0`, async () => {
      const run = await cli([...command, "--help"]);
      expect(run.code).toBe(EXIT.done);
      expect(run.stdout).toMatch(new RegExp(`^Usage: hai-webhook-rotate ${command[0] ?? "<command>"}`));
      expect(run.stderr).toBe("");
    });
  }

  it("rotate --help lists every exit status of the table, with its meaning", async () => {
    const { stdout } = await cli(["rotate", "--help"]);
    for (const [name, code] of Object.entries(EXIT))
      expect(stdout).toContain(`\n  ${code}  ${EXIT_MEANINGS[name as keyof typeof EXIT]}\n`);
  });

  it("docs/guides/cli.md's exit table is the command's table", () => {
    const guide = readFileSync(join(ROOT, "docs", "guides", "cli.md"), "utf8");
    const rows = [...guide.matchAll(/^\| (\d) \| `(\w+)` \| (.+) \|$/gm)].map(([, code, name, meaning]) => [
      Number(code),
      name,
      meaning,
    ]);
    expect(rows).toEqual(
      Object.entries(EXIT).map(([name, code]) => [code, name, EXIT_MEANINGS[name as keyof typeof EXIT]]),
    );
  });
});

// The executable as its own process: what only a process can show.
describe("the executable", () => {
  beforeAll(requireFreshBuild);
  beforeEach(() => writeFileSync(file, `${OLD}\n`, { mode: 0o600 }));

  it("importing the command runs nothing; the bin entry runs it with this process's arguments", async () => {
    const imported = await runBin([], {}, dir);
    expect(imported.code).toBe(EXIT.notSent); // the bin: no command given
    const { execFileSync } = await import("node:child_process");
    const quiet = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(join(ROOT, "dist/src/cli.js"))})`,
        "rotate",
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(quiet).toBe("");
  });

  for (const signal of ["SIGHUP", "SIGINT", "SIGTERM"] as const) {
    it(`${signal} and a closed terminal while the request is out: the answer is stored, exit 0`, async () => {
      const secret = `whsec_storedAfter${signal}0000000000000000000000`;
      let child: import("node:child_process").ChildProcess | undefined;
      standIn.answer = (_req, res) => {
        // The terminal goes away: the signal, then both output pipes closed by the reading side.
        child?.kill(signal);
        child?.stdout?.destroy();
        child?.stderr?.destroy();
        setTimeout(
          () => res.writeHead(200, { "Content-Type": "application/json" }).end(rotatedBody(secret)),
          100,
        );
      };
      const run = await runBin(
        rotateArgs(),
        { HAI_API_KEY: KEY, HAI_BASE_URL: standIn.url },
        dir,
        (started) => (child = started),
      );
      expect({ code: run.code, signal: run.signal }).toEqual({ code: EXIT.done, signal: null });
      expect(secretsInFile()).toEqual([OLD, secret]);
    });
  }

  it("a closed standard output on the not-stored path: no crash, exit 5, the secret in the rescue file", async () => {
    const secret = "whsec_notStoredPipeClosed333333333333333333";
    let child: import("node:child_process").ChildProcess | undefined;
    standIn.answer = (_req, res) => {
      child?.stdout?.destroy();
      setTimeout(
        () => res.writeHead(200, { "Content-Type": "application/json" }).end(rotatedBody(secret)),
        50,
      );
    };
    writeFileSync(`${file}.lock`, `${process.pid}\n`);
    const run = await runBin(
      rotateArgs("--lock-wait", "0.1"),
      { HAI_API_KEY: KEY, HAI_BASE_URL: standIn.url },
      dir,
      (started) => (child = started),
    );
    expect(run.code).toBe(EXIT.notStored);
    expect(run.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js/);
    const [rescued] = readdirSync(dir).filter((name) => name.includes(".unstored-"));
    expect(readFileSync(join(dir, rescued as string), "utf8")).toBe(`${secret}\n`);
  });
});
