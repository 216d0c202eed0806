// The secrets file: where a rotation stores the new signing secret so a receiver trusts it at once.
//
// Format: one secret per line, oldest first, UTF-8, `\n` line ends, mode 0600. Blank lines are ignored.
// Every change is written to a temporary file in the same folder, fsynced, then renamed over the file,
// so a reader (or a crash) sees the old content or the new, never half of it. Changes also take a lock
// file beside it, so two rotations appending at once both land. No message names a secret: they only
// ever name the file.
import { randomBytes } from "node:crypto";
import { open, readFile, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export type SecretsFileErrorCode =
  /** The file does not exist. */
  | "missing"
  /** The file (or its folder) cannot be read: permissions, or it is a folder. */
  | "unreadable"
  /** The file or its temporary copy could not be written, synced or renamed. Nothing was changed. */
  | "write_failed"
  /** Another process kept the lock file for longer than we waited. Nothing was changed. */
  | "locked"
  /** The secret handed to `appendSecret` is empty or contains whitespace. Nothing was written. */
  | "invalid_secret"
  /** `keep` is not a whole number of at least 1. Nothing was changed. */
  | "invalid_keep"
  /** `lockWaitMs` is not a number of milliseconds from 0 to 2^31 - 1. Nothing was changed. */
  | "invalid_lock_wait";

/** The one error this module throws. `code` says what went wrong; `path` is the file concerned. */
export class SecretsFileError extends Error {
  override name = "SecretsFileError";
  readonly code: SecretsFileErrorCode;
  readonly path: string;

  constructor(code: SecretsFileErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}

const FILE_MODE = 0o600;
const LOCK_POLL_MS = 20;

export interface SecretsFileOptions {
  /**
   * How long to wait, in milliseconds, for another process holding the file's lock before giving up with a
   * `locked` error (nothing changed). Default 10 000: a rotate or retire holds it for milliseconds.
   */
  lockWaitMs?: number;
}

/** The trusted secrets in the file, oldest first. */
export async function readSecretsFile(path: string): Promise<string[]> {
  const text = await readText(path);
  if (text === undefined) {
    throw new SecretsFileError(
      "missing",
      path,
      `No secrets file at ${path}. Write the webhook's current secret in it on one line (mode 0600), ` +
        "or let `hai-webhook-rotate rotate <webhook-id> --secrets-file <path>` create it.",
    );
  }
  return parseSecrets(text);
}

/**
 * Adds `secret` as the newest (last) line, creating the file with mode 0600 if it does not exist.
 * A secret the file already holds is not listed twice: it becomes the last line.
 */
export async function appendSecret(
  path: string,
  secret: string,
  options: SecretsFileOptions = {},
): Promise<void> {
  if (typeof secret !== "string" || secret === "" || /\s/.test(secret)) {
    throw new SecretsFileError(
      "invalid_secret",
      path,
      `The secret to store in ${path} is empty or contains whitespace or a line break; nothing was written.`,
    );
  }
  await withLock(path, lockWait(path, options), async (target) => {
    const text = (await readText(target)) ?? "";
    const secrets = parseSecrets(text);
    if (secrets.at(-1) === secret) return;
    if (secrets.includes(secret)) {
      // Already trusted but not the newest: move it to the end rather than list it twice.
      const reordered = [...secrets.filter((line) => line !== secret), secret];
      await writeAtomically(target, path, `${reordered.join("\n")}\n`);
      return;
    }
    // Keep the file as the user left it; only make sure the new secret starts on a line of its own.
    const separator = text === "" || text.endsWith("\n") ? "" : "\n";
    await writeAtomically(target, path, `${text}${separator}${secret}\n`);
  });
}

/** Keeps the newest `keep` secrets and drops the older ones. The file must exist. */
export async function retireSecrets(
  path: string,
  keep: number,
  options: SecretsFileOptions = {},
): Promise<{ kept: number; removed: number }> {
  if (!Number.isSafeInteger(keep) || keep < 1) {
    throw new SecretsFileError(
      "invalid_keep",
      path,
      "The number of secrets to keep must be a whole number of at least 1 (keeping none would make the " +
        "receiver refuse every delivery); nothing was changed.",
    );
  }
  return withLock(path, lockWait(path, options), async (target) => {
    const secrets = await readSecretsFile(target).catch((error: unknown) => {
      // Report the path the caller gave, not the resolved one.
      if (error instanceof SecretsFileError) error = new SecretsFileError(error.code, path, error.message);
      throw error;
    });
    if (secrets.length <= keep) return { kept: secrets.length, removed: 0 };
    const kept = secrets.slice(-keep);
    await writeAtomically(target, path, `${kept.join("\n")}\n`);
    return { kept: kept.length, removed: secrets.length - kept.length };
  });
}

function parseSecrets(text: string): string[] {
  return text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** The file's text, or `undefined` when it does not exist. */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT") return undefined;
    throw new SecretsFileError(
      "unreadable",
      path,
      `Cannot read the secrets file ${path} (${code ?? "error"}). Check that it is a file this user can read.`,
      { cause: error },
    );
  }
}

/** Writes `content` to a temporary file beside `target`, fsyncs it, then renames it over `target`. */
async function writeAtomically(target: string, shownPath: string, content: string): Promise<void> {
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let step = "create a temporary file in its folder";
  try {
    const handle = await open(temporary, "wx", FILE_MODE);
    try {
      step = "write the temporary file";
      await handle.chmod(FILE_MODE); // whatever the umask
      // The replacement keeps the old file's owner where we may set it (run as root, say, on a file the
      // receiver's user owns): otherwise that receiver could no longer read its 0600 file.
      const previous = await stat(target).catch(() => undefined);
      if (previous) await handle.chown(previous.uid, previous.gid).catch(() => undefined);
      await handle.writeFile(content, "utf8");
      step = "sync the temporary file to disk";
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = "rename the temporary file over it";
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new SecretsFileError(
      "write_failed",
      shownPath,
      `Could not ${step} for ${shownPath} (${errorCode(error) ?? "error"}); the file was not changed. ` +
        "Check that its folder exists and this user can write to it.",
      { cause: error },
    );
  }
  // The rename is durable only once the folder's entry is on disk too. Best effort: some file systems
  // refuse to sync a folder, and the data itself is already safe.
  const dir = await open(folder, "r").catch(() => undefined);
  await dir
    ?.sync()
    .catch(() => undefined)
    .finally(() => dir.close());
}

const DEFAULT_LOCK_WAIT_MS = 10_000;
// setTimeout's own ceiling; a longer wait would silently become 1 ms.
const MAX_LOCK_WAIT_MS = 2 ** 31 - 1;

function lockWait(path: string, options: SecretsFileOptions): number {
  const waitMs = Object.hasOwn(options, "lockWaitMs") ? options.lockWaitMs : undefined;
  if (waitMs === undefined) return DEFAULT_LOCK_WAIT_MS;
  if (typeof waitMs !== "number" || !(waitMs >= 0 && waitMs <= MAX_LOCK_WAIT_MS)) {
    throw new SecretsFileError(
      "invalid_lock_wait",
      path,
      `lockWaitMs must be a number of milliseconds from 0 to ${MAX_LOCK_WAIT_MS}; nothing was changed.`,
    );
  }
  return waitMs;
}

/**
 * Runs `change` while holding `<file>.lock` (created exclusively, holding our PID), with the symlink-free
 * path of the file. A lock left by a process that no longer exists (it crashed) is removed.
 */
async function withLock<T>(path: string, waitMs: number, change: (target: string) => Promise<T>): Promise<T> {
  const target = await realpath(path).catch(() => path);
  const lock = `${target}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lock, "wx", FILE_MODE);
      await handle.writeFile(`${process.pid}\n`).finally(() => handle.close());
      break;
    } catch (error) {
      const code = errorCode(error);
      if (code !== "EEXIST") {
        const verb =
          code === "ENOENT" ? "its folder does not exist" : `the lock file ${lock} cannot be created`;
        throw new SecretsFileError(
          "write_failed",
          path,
          `Cannot change the secrets file ${path}: ${verb} (${code ?? "error"}). ` +
            "Check the path and that this user can write to its folder.",
          { cause: error },
        );
      }
    }
    if (await lockIsStale(lock)) {
      // Two processes could both find the same stale lock; the window is tiny and only after a crash.
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new SecretsFileError(
        "locked",
        path,
        `Another process has been changing ${path} for ${waitMs / 1000} s (lock file ${lock}). ` +
          "If no rotate or retire is running, delete the lock file and try again.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    return await change(target);
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

async function lockIsStale(lock: string): Promise<boolean> {
  const pid = Number.parseInt((await readFile(lock, "utf8").catch(() => "")).trim(), 10);
  // No PID yet: its owner is between creating and writing it. Wait.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errorCode(error) === "ESRCH";
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
