// The secrets file as a rotation and a receiver use it: a real folder under the OS temp dir per test,
// real crashes (a child process SIGKILLed between writing and renaming), real concurrent appends.
import { spawn } from "node:child_process";
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
import { build } from "esbuild";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendSecret, readSecretsFile, retireSecrets, SecretsFileError } from "../../src/secrets-file.js";
import { ROOT } from "../support/spec.js";
import { deadPid } from "./harness.js";

const OLD = "whsec_oldSecretOldSecretOldSecretOldSecret00";
const NEW = "whsec_newSecretNewSecretNewSecretNewSecret11";
const NEWER = "whsec_newerSecretNewerSecretNewerSecret2222";

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "secrets-file-"));
  file = join(dir, "webhook-secrets");
});
afterEach(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;
const caught = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
};
const leftovers = () => readdirSync(dir).filter((name) => name !== "webhook-secrets");

describe("readSecretsFile", () => {
  it("returns the secrets oldest first, ignoring blank lines, surrounding spaces and CRLF", async () => {
    writeFileSync(file, `\n${OLD}\r\n\n   \n  ${NEW}  \n\n`);
    expect(await readSecretsFile(file)).toEqual([OLD, NEW]);
  });

  it("returns an empty list for an empty file", async () => {
    writeFileSync(file, "");
    expect(await readSecretsFile(file)).toEqual([]);
  });

  it("refuses a missing file with a typed error that says how to create it", async () => {
    const error = await caught(readSecretsFile(file));
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error).toMatchObject({ code: "missing", path: file });
    expect((error as Error).message).toContain("Write the webhook's current secret in it");
  });

  it("refuses a folder, or a file this user cannot read, as unreadable", async () => {
    expect(await caught(readSecretsFile(dir))).toMatchObject({ code: "unreadable", path: dir });
    if (process.getuid?.() === 0) return; // root reads anything; the folder case above still ran
    writeFileSync(file, `${OLD}\n`, { mode: 0o000 });
    const error = await caught(readSecretsFile(file));
    expect(error).toMatchObject({ code: "unreadable" });
    expect((error as Error).message).toContain("EACCES");
  });
});

describe("appendSecret", () => {
  it("creates the file with mode 0600 holding the secret, whatever the umask", async () => {
    const previous = process.umask(0o000);
    try {
      await appendSecret(file, NEW);
    } finally {
      process.umask(previous);
    }
    expect(readFileSync(file, "utf8")).toBe(`${NEW}\n`);
    expect(mode(file)).toBe(0o600);
    expect(leftovers()).toEqual([]); // no temporary or lock file left behind
  });

  it("adds the secret as the last line, keeping what was there and the file's mode", async () => {
    writeFileSync(file, `${OLD}`); // no final newline
    chmodSync(file, 0o640);
    await appendSecret(file, NEW);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n${NEW}\n`);
    expect(await readSecretsFile(file)).toEqual([OLD, NEW]);
    expect(mode(file)).toBe(0o640);
  });

  it("refuses, changing nothing, a file others can read or others than its owner can write", async () => {
    for (const loose of [0o644, 0o646, 0o620]) {
      writeFileSync(file, `${OLD}\n`);
      chmodSync(file, loose);
      const error = await caught(appendSecret(file, NEW));
      expect(error).toMatchObject({ code: "unsafe", path: file });
      expect((error as Error).message).toContain(`chmod 0${(loose & 0o750).toString(8)} ${file}`);
      expect(await caught(retireSecrets(file, 1))).toMatchObject({ code: "unsafe" });
      expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
      expect(mode(file)).toBe(loose);
    }
  });

  it("lists a secret the file already holds once, as the newest", async () => {
    writeFileSync(file, `${OLD}\n${NEW}\n`, { mode: 0o600 });
    await appendSecret(file, NEW);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n${NEW}\n`);
    await appendSecret(file, OLD);
    expect(readFileSync(file, "utf8")).toBe(`${NEW}\n${OLD}\n`);
  });

  it("keeps the file's group, so a receiver reading it through its group still can", async () => {
    // Run as root (CI containers), the group is another user's; otherwise it is this user's own.
    const group = process.getuid?.() === 0 ? 65534 : statSync(dir).gid;
    writeFileSync(file, `${OLD}\n`);
    chownSync(file, statSync(dir).uid, group);
    chmodSync(file, 0o640);
    await appendSecret(file, NEW);
    expect(statSync(file)).toMatchObject({ uid: statSync(dir).uid, gid: group });
    expect(mode(file)).toBe(0o640);
  });

  // Giving a file away needs root; CI runs as root, so there this never skips.
  it.skipIf(process.getuid?.() !== 0 && !process.env.CI)(
    "refuses a file another user owns, and a symlink another user owns (uid 65534)",
    async () => {
      writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
      chownSync(file, 65534, 65534);
      const owned = await caught(appendSecret(file, NEW));
      expect(owned).toMatchObject({ code: "unsafe" });
      expect((owned as Error).message).toContain(`chown 0 ${file}`);
      const link = join(dir, "link");
      const real = join(dir, "real");
      writeFileSync(real, `${OLD}\n`, { mode: 0o600 });
      symlinkSync(real, link);
      lchownSync(link, 65534, 65534);
      expect(await caught(retireSecrets(link, 1))).toMatchObject({ code: "unsafe" });
      expect(readFileSync(real, "utf8")).toBe(`${OLD}\n`);
    },
  );

  it("writes through a symlink to the file it points at, keeping the link", async () => {
    const real = join(dir, "real-secrets");
    writeFileSync(real, `${OLD}\n`, { mode: 0o600 });
    symlinkSync(real, file);
    await appendSecret(file, NEW);
    expect(readFileSync(real, "utf8")).toBe(`${OLD}\n${NEW}\n`);
    expect(await readSecretsFile(file)).toEqual([OLD, NEW]);
  });

  it("refuses an empty secret or one with whitespace, control or invisible characters, writing nothing and not echoing it", async () => {
    const bad = [
      "",
      `${NEW}\n${OLD}`,
      `${NEW} `,
      `${NEW}\t`,
      `${NEW}\u0000`,
      `${NEW}\u001b[0m`,
      `${NEW}\u200b`,
      `${NEW}\ud800`,
      `${NEW}\u0085`,
    ];
    for (const secret of bad) {
      const error = await caught(appendSecret(file, secret));
      expect(error).toMatchObject({ code: "invalid_secret" });
      expect((error as Error).message).not.toContain("Secret");
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("fails with a typed error naming the file but never the secret when the folder is missing or read-only", async () => {
    const missingFolder = join(dir, "no-such-folder", "secrets");
    const error = await caught(appendSecret(missingFolder, NEW));
    expect(error).toMatchObject({ code: "unwritable", path: missingFolder });
    expect((error as Error).message).toContain("does not exist");
    expect(JSON.stringify(error) + String(error)).not.toContain(NEW);

    if (process.getuid?.() === 0) return; // root writes anywhere
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    chmodSync(dir, 0o500);
    const readOnly = await caught(appendSecret(file, NEW));
    expect(readOnly).toMatchObject({ code: "unwritable", path: file });
    expect(String(readOnly)).not.toContain(NEW);
    chmodSync(dir, 0o700);
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
  });

  it("loses no secret when many appends run at once", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const secrets = Array.from(
      { length: 25 },
      (_, index) => `whsec_concurrent${String(index).padStart(30, "0")}`,
    );
    await Promise.all(secrets.map((secret) => appendSecret(file, secret)));
    const stored = await readSecretsFile(file);
    expect(stored[0]).toBe(OLD);
    expect(stored.slice(1).sort()).toEqual([...secrets].sort());
    expect(leftovers()).toEqual([]);
  });

  it("gives up with `locked`, changing nothing, when a live process holds the lock past lockWaitMs", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    writeFileSync(`${file}.lock`, `${process.pid}\n`); // this test's own process: alive
    const error = await caught(appendSecret(file, NEW, { lockWaitMs: 50 }));
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error).toMatchObject({ code: "locked", path: file });
    expect((error as Error).message).toContain("delete the lock file");
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
    expect(await caught(retireSecrets(file, 1, { lockWaitMs: 0 }))).toMatchObject({ code: "locked" });
    // Once the holder lets go, the same call goes through.
    rmSync(`${file}.lock`);
    await appendSecret(file, NEW, { lockWaitMs: 0 });
    expect(await readSecretsFile(file)).toEqual([OLD, NEW]);
  });

  it("breaks a lock left by a process that no longer runs, in this version's form or an earlier one's", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    writeFileSync(`${file}.lock`, `${deadPid()}\n`);
    await appendSecret(file, NEW, { lockWaitMs: 0 });
    writeFileSync(`${file}.lock`, `${deadPid()}.0123456789abcdef\n`);
    await appendSecret(file, NEWER, { lockWaitMs: 0 });
    expect(await readSecretsFile(file)).toEqual([OLD, NEW, NEWER]);
    expect(leftovers()).toEqual([]);
  });

  it("leaves a stale lock to the live process that claimed it; breaks the claim of one that died", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    const lock = `${file}.lock`;
    const stale = `${deadPid()}.00000000000000aa`;
    writeFileSync(lock, `${stale}\n`);
    // Another process (this one: alive) is breaking that lock: only it may remove it.
    writeFileSync(`${lock}.break.${stale}`, `${process.pid}.00000000000000bb\n`);
    expect(await caught(appendSecret(file, NEW, { lockWaitMs: 60 }))).toMatchObject({ code: "locked" });
    expect(readFileSync(lock, "utf8")).toBe(`${stale}\n`);
    // The breaker died before finishing: its claim is stale in turn, and broken the same way.
    writeFileSync(`${lock}.break.${stale}`, `${deadPid()}.00000000000000cc\n`);
    await appendSecret(file, NEW, { lockWaitMs: 0 }); // no waiting: each stale file is broken at once
    expect(await readSecretsFile(file)).toEqual([OLD, NEW]);
    expect(leftovers()).toEqual([]);
  });

  it("waits for, and never breaks, a lock whose content names no process", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    writeFileSync(`${file}.lock`, "not a token\n");
    expect(await caught(appendSecret(file, NEW, { lockWaitMs: 40 }))).toMatchObject({ code: "locked" });
    expect(readFileSync(`${file}.lock`, "utf8")).toBe("not a token\n");
  });

  it("refuses a lockWaitMs that is not 0 to 2^31 - 1 milliseconds, changing nothing", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    for (const lockWaitMs of [-1, Number.NaN, 2 ** 31, "100" as unknown as number]) {
      const error = await caught(appendSecret(file, NEW, { lockWaitMs }));
      expect(error).toMatchObject({ code: "invalid_lock_wait", path: file });
    }
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
  });
});

describe("retireSecrets", () => {
  it("keeps the newest secrets and drops the older ones", async () => {
    writeFileSync(file, `${OLD}\n\n${NEW}\n${NEWER}\n`, { mode: 0o600 });
    expect(await retireSecrets(file, 2)).toEqual({ kept: 2, removed: 1 });
    expect(readFileSync(file, "utf8")).toBe(`${NEW}\n${NEWER}\n`);
    expect(await retireSecrets(file, 1)).toEqual({ kept: 1, removed: 1 });
    expect(readFileSync(file, "utf8")).toBe(`${NEWER}\n`);
    expect(mode(file)).toBe(0o600);
  });

  it("changes nothing when there are no more secrets than it keeps", async () => {
    writeFileSync(file, `${NEW}\n`, { mode: 0o600 });
    expect(await retireSecrets(file, 1)).toEqual({ kept: 1, removed: 0 });
    expect(readFileSync(file, "utf8")).toBe(`${NEW}\n`);
  });

  it("refuses to keep fewer than one secret, or a fraction, changing nothing", async () => {
    writeFileSync(file, `${OLD}\n${NEW}\n`, { mode: 0o600 });
    for (const keep of [0, -1, 1.5, Number.NaN]) {
      expect(await caught(retireSecrets(file, keep))).toMatchObject({ code: "invalid_keep" });
    }
    expect(readFileSync(file, "utf8")).toBe(`${OLD}\n${NEW}\n`);
  });

  it("refuses a missing file with the path it was given", async () => {
    expect(await caught(retireSecrets(file, 1))).toMatchObject({ code: "missing", path: file });
    expect(readdirSync(dir)).toEqual([]);
  });
});

// A process killed while it changes the file: the preload replaces one fs step with SIGKILL.
describe("a crash in the middle of a write", () => {
  let bundle: string;
  let preload: string;
  let buildDir: string;
  beforeAll(async () => {
    buildDir = mkdtempSync(join(tmpdir(), "secrets-file-build-"));
    bundle = join(buildDir, "secrets-file.mjs");
    await build({
      entryPoints: [join(ROOT, "src/secrets-file.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: bundle,
      logLevel: "silent",
    });
    preload = join(buildDir, "crash.mjs");
    writeFileSync(
      preload,
      `import fs from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
const die = () => { process.kill(process.pid, "SIGKILL"); return new Promise(() => {}); };
const handle = await fs.open(${JSON.stringify(preload)}, "r");
const FileHandle = Object.getPrototypeOf(handle);
await handle.close();
if (process.env.CRASH_AT === "rename") fs.rename = die;
if (process.env.CRASH_AT === "sync") FileHandle.sync = die;
syncBuiltinESMExports();
`,
    );
    return () => rmSync(buildDir, { recursive: true, force: true });
  });

  const appendInChild = (crashAt: string) =>
    new Promise<NodeJS.Signals | null>((resolve) => {
      const script = `const m = await import(${JSON.stringify(bundle)}); await m.appendSecret(${JSON.stringify(file)}, ${JSON.stringify(NEW)});`;
      const child = spawn(process.execPath, ["--import", preload, "--input-type=module", "-e", script], {
        env: { PATH: process.env.PATH, CRASH_AT: crashAt },
        stdio: "ignore",
      });
      child.once("exit", (_code, signal) => resolve(signal));
    });

  for (const crashAt of ["sync", "rename"]) {
    it(`leaves the old file intact when the process dies at ${crashAt}, and the next append still works`, async () => {
      writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
      expect(await appendInChild(crashAt)).toBe("SIGKILL");
      expect(readFileSync(file, "utf8")).toBe(`${OLD}\n`);
      expect(await readSecretsFile(file)).toEqual([OLD]);
      // The dead process left its lock and its temporary file: the next change breaks the one and sweeps
      // the other.
      expect(leftovers()).toEqual(
        expect.arrayContaining([
          "webhook-secrets.lock",
          expect.stringMatching(/^\.webhook-secrets\.\d+\.[0-9a-f]+\.tmp$/),
        ]),
      );
      await appendSecret(file, NEWER);
      expect(await readSecretsFile(file)).toEqual([OLD, NEWER]);
      expect(leftovers()).toEqual([]);
    });
  }

  it("is a real crash test: without the preload the child stores the secret", async () => {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    expect(await appendInChild("nowhere")).toBeNull();
    expect(await readSecretsFile(file)).toEqual([OLD, NEW]);
  });
});

describe("SecretsFileError", () => {
  it("is a typed error with a code, the path, and no secret in its message, inspect or JSON", async () => {
    mkdirSync(join(dir, "sub"));
    const error = await caught(appendSecret(join(dir, "sub", "missing", "x"), NEW));
    expect(error).toBeInstanceOf(SecretsFileError);
    expect(error).toBeInstanceOf(Error);
    expect((error as SecretsFileError).name).toBe("SecretsFileError");
    const { inspect } = await import("node:util");
    expect(inspect(error, { depth: 10 }) + JSON.stringify(error)).not.toContain(NEW);
  });
});
