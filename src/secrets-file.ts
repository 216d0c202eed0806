// The secrets file: where a rotation stores the new signing secret so a receiver trusts it at once.
//
// Format: one secret per line, oldest first, UTF-8, `\n` line ends. Blank lines are ignored.
//
// Three promises, each kept in one place below:
// - Safe to hold a secret, as ssh treats a private key (`checkSecretsFile`): no symlink another user
//   could point elsewhere, no file another user owns, reads or writes. Every change checks first, and a
//   caller (the CLI) can check before it does anything that cannot be undone.
// - Never half-written (`writeAtomically`): a change goes to a temporary file in the same folder, is
//   fsynced, then renamed over the file, keeping its owner, group and mode (new files: 0600).
// - Never two writers (`withLock`): a lock file beside the real file. Taking it is one atomic `link`;
//   only its owner releases it; a lock whose owner died is broken under a claim, so exactly the lock
//   judged stale is removed, whatever else runs at the same moment.
// No message names a secret: they only ever name the file.
import { randomBytes } from "node:crypto";
import type { Stats } from "node:fs";
import {
  access,
  constants,
  link,
  lstat,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  stat,
  unlink,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export type SecretsFileErrorCode =
  /** The file does not exist. */
  | "missing"
  /** The file cannot be read: permissions, or it is not a regular file. */
  | "unreadable"
  /** Another user could read or change what is written (ownership, mode, symlink): the message says the fix. */
  | "unsafe"
  /** Its folder does not exist or this user cannot create files in it. Nothing was changed. */
  | "unwritable"
  /** The file or its temporary copy could not be written, synced or renamed. Nothing was changed. */
  | "write_failed"
  /** Another process kept the lock file for longer than we waited. Nothing was changed. */
  | "locked"
  /** The secret handed to `appendSecret` could not be used by a receiver (see `appendSecret`). Nothing was written. */
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

const NEW_FILE_MODE = 0o600;
/** Mode bits that let others than the owner change the file, or anyone outside its group read it. */
const LOOSE_BITS = 0o026;
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
  if (text === undefined) throw missing(path);
  return parseSecrets(text);
}

const missing = (path: string) =>
  new SecretsFileError(
    "missing",
    path,
    `No secrets file at ${path}. Write the webhook's current secret in it on one line (mode 0600), ` +
      "or let `hai-webhook-rotate rotate <webhook-id> --secrets-file <path>` create it.",
  );

/** What {@link checkSecretsFile} found. */
export interface SecretsFileCheck {
  /** The file every change is written to: the path with its symlinks resolved. */
  target: string;
  /** How many secrets it holds; `undefined` when it does not exist yet (a change creates it, mode 0600). */
  secrets: number | undefined;
}

/**
 * Checks that `path` can safely hold a secret and be changed by this user, the way `appendSecret` and
 * `retireSecrets` check before every change (throwing `unsafe`, `unwritable` or `unreadable`), and that
 * `options` are valid for them (`invalid_lock_wait`). Run it
 * before anything that cannot be undone, such as a rotation, so a problem is found while it costs nothing.
 *
 * Refused as `unsafe`, with the `chmod` or `chown` to run: a path that is a symlink owned by another user
 * or in a folder others can write; a file owned by another user, or whose group this user is not in; a
 * file others can write, or read outside its group (0640 is fine, 0644 is not); a folder others can write
 * without the sticky bit. On Windows, which has no such modes, only the folder and the file are checked.
 */
export async function checkSecretsFile(
  path: string,
  options: SecretsFileOptions = {},
): Promise<SecretsFileCheck> {
  lockWait(path, options);
  const { target, existing } = await inspect(path);
  return {
    target,
    secrets: existing ? parseSecrets((await readText(target, path)) ?? "").length : undefined,
  };
}

/** Why `secret` cannot be a line of the file a receiver uses as an HMAC key, or `undefined` if it can. */
function unusable(secret: unknown): string | undefined {
  if (typeof secret !== "string" || secret === "") return "is empty";
  // Whitespace would split or be trimmed from the line; control and format characters (NUL, ESC, a
  // zero-width space) and lone surrogates never occur in issued secrets, and receivers refuse them.
  if (/[\s\p{Cc}\p{Cf}\p{Cs}]/u.test(secret))
    return "contains whitespace, a line break, a control character or an invisible character";
  return undefined;
}

/**
 * Adds `secret` as the newest (last) line, creating the file with mode 0600 if it does not exist. A
 * secret the file already holds is not listed twice: it becomes the last line. Refuses (`invalid_secret`,
 * nothing written) a secret that is empty or holds whitespace, control or invisible characters.
 */
export async function appendSecret(
  path: string,
  secret: string,
  options: SecretsFileOptions = {},
): Promise<void> {
  const problem = unusable(secret);
  if (problem !== undefined) {
    throw new SecretsFileError(
      "invalid_secret",
      path,
      `The secret to store in ${path} ${problem}, so no receiver could use it; nothing was written.`,
    );
  }
  const waitMs = lockWait(path, options);
  const { target } = await inspect(path);
  await withLock(path, target, waitMs, async () => {
    const text = (await readText(target, path)) ?? "";
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
  const waitMs = lockWait(path, options);
  const { target, existing } = await inspect(path);
  if (!existing) throw missing(path);
  return withLock(path, target, waitMs, async () => {
    const text = await readText(target, path);
    if (text === undefined) throw missing(path);
    const secrets = parseSecrets(text);
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
async function readText(path: string, shownPath = path): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT") return undefined;
    throw new SecretsFileError(
      "unreadable",
      shownPath,
      `Cannot read the secrets file ${shownPath} (${code ?? "error"}). Check that it is a file this user can read.`,
      { cause: error },
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Safe to hold a secret

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;
const quote = (path: string) => (/^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`);

/** The real path a change goes to, and the file there (if any), after the ssh-like checks. */
async function inspect(path: string): Promise<{ target: string; existing: Stats | undefined }> {
  const me = process.geteuid?.(); // undefined on Windows: no owners or modes to check
  const unsafe = (problem: string, fix: string) =>
    new SecretsFileError("unsafe", path, `${problem}. ${fix} Nothing was changed.`);
  const unwritable = (problem: string) =>
    new SecretsFileError(
      "unwritable",
      path,
      `Cannot change the secrets file ${path}: ${problem}. Fix that first; nothing was changed.`,
    );

  const entry = await lstat(path).catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return undefined;
    if (errorCode(error) === "ENOTDIR") throw unwritable(`a part of the path is not a folder`);
    throw new SecretsFileError(
      "unreadable",
      path,
      `Cannot look at ${path} (${errorCode(error) ?? "error"}).`,
    );
  });
  let target: string;
  if (entry?.isSymbolicLink()) {
    const linkFolder = dirname(path);
    if (me !== undefined && entry.uid !== me && entry.uid !== 0)
      throw unsafe(
        `${path} is a symbolic link owned by another user (uid ${entry.uid}), who could point it at a file they read`,
        `If you trust it, take it over: \`chown -h ${me} ${quote(path)}\`; otherwise delete the link and use a file of your own.`,
      );
    const folder = await stat(linkFolder);
    if (me !== undefined && folder.mode & 0o002)
      throw unsafe(
        `${path} is a symbolic link in ${linkFolder}, a folder every user can write to (mode ${octal(folder.mode)}), so another user could replace it`,
        `Point --secrets-file at the real file instead (\`realpath ${quote(path)}\`), or keep the link in a folder only you can write.`,
      );
    try {
      target = await realpath(path);
    } catch (error) {
      throw unwritable(
        `it is a symbolic link to nothing that exists (${errorCode(error) ?? "error"}); create the file it points to, or use a plain file`,
      );
    }
  } else {
    // The folder may itself be reached through symlinks: lock and write where the file really is.
    const folder = await realpath(dirname(path)).catch(() => {
      throw unwritable(`its folder ${dirname(path)} does not exist`);
    });
    target = join(folder, basename(path));
  }

  const existing = await stat(target).catch((error: unknown) => {
    if (errorCode(error) === "ENOENT") return undefined;
    throw new SecretsFileError(
      "unreadable",
      path,
      `Cannot look at ${path} (${errorCode(error) ?? "error"}).`,
    );
  });
  if (existing && !existing.isFile())
    throw new SecretsFileError(
      "unreadable",
      path,
      `Cannot read the secrets file ${path}: it is not a regular file. Point --secrets-file at a file.`,
    );
  if (existing && me !== undefined) {
    if (existing.uid !== me)
      throw unsafe(
        `${path} is owned by another user (uid ${existing.uid}), who could read every secret written to it`,
        `If that user is trusted, take the file over: \`chown ${me} ${quote(path)}\`; otherwise delete it and rotate again to create a new one.`,
      );
    const groups = me === 0 ? [] : [process.getegid?.(), ...(process.getgroups?.() ?? [])];
    if (me !== 0 && !groups.includes(existing.gid))
      throw unsafe(
        `${path} belongs to group ${existing.gid}, which this user is not in: a rewrite could not keep that group, and its readers would lose access`,
        `Run \`chgrp ${process.getegid?.()} ${quote(path)}\`, or run as a member of group ${existing.gid}.`,
      );
    if (existing.mode & LOOSE_BITS)
      throw unsafe(
        `${path} has mode ${octal(existing.mode)}: ${existing.mode & 0o004 ? "every user can read the secrets in it" : "users other than its owner can change the secrets in it"}`,
        `Run \`chmod ${octal(existing.mode & 0o750)} ${quote(path)}\` (the owner reads and writes, its group may read).`,
      );
  }

  const folder = dirname(target);
  const folderInfo = await stat(folder).catch(() => undefined);
  if (!folderInfo?.isDirectory()) throw unwritable(`its folder ${folder} does not exist`);
  if (me !== undefined && folderInfo.mode & 0o002 && !(folderInfo.mode & 0o1000))
    throw unsafe(
      `${folder}, the folder of ${path}, can be written by every user (mode ${octal(folderInfo.mode)}), so another user could replace the file`,
      `Run \`chmod o-w ${quote(folder)}\`, or keep the secrets file in a folder only you can write.`,
    );
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw unwritable(`this user cannot create files in its folder ${folder}; check the folder's permissions`);
  }
  return { target, existing };
}

// ---------------------------------------------------------------------------------------------------
// Never half-written

/**
 * Writes `content` to a temporary file beside `target`, fsyncs it, then renames it over `target`. The
 * replacement keeps the old file's owner, group and mode (a receiver reading a 0640 file through its group
 * still can); a new file is 0600 whatever the umask.
 */
async function writeAtomically(target: string, shownPath: string, content: string): Promise<void> {
  const folder = dirname(target);
  const temporary = join(folder, `.${basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let step = "create a temporary file in its folder";
  try {
    const handle = await open(temporary, "wx", NEW_FILE_MODE);
    try {
      step = "give the temporary file the owner, group and mode of the file";
      const previous = await stat(target).catch(() => undefined);
      if (previous) await handle.chown(previous.uid, previous.gid);
      await handle.chmod(previous ? previous.mode & 0o777 : NEW_FILE_MODE);
      step = "write the temporary file";
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

// ---------------------------------------------------------------------------------------------------
// Never two writers
//
// A lock file holds its owner's token, `<pid>.<random>`. It is created complete in one step: the token is
// written to a file of its own, which is then hard-linked to the lock's name (`link` fails if the name
// exists). Only the owner removes its lock, after checking the token is still its own.
//
// A lock whose owner no longer runs is stale. Deleting it as soon as it looks stale is not safe: between
// reading it and deleting it, another process may have broken it and taken the lock, and the delete would
// remove that live lock. So breaking takes a claim first, a second lock named after the stale token
// (`<lock>.break.<token>`), and deletes the lock only if it still holds that token. Tokens are never
// reused, so once a stale lock is gone no claim can match a later one; and a claim left by a breaker that
// died is itself stale, broken the same way. Locks of earlier versions (a bare PID) are read alike.
//
// Liveness is `kill(pid, 0)`: processes sharing one secrets file must share a PID namespace (one host or
// container), as with any PID lock file.

const DEFAULT_LOCK_WAIT_MS = 10_000;
// setTimeout's own ceiling; a longer wait would silently become 1 ms.
const MAX_LOCK_WAIT_MS = 2 ** 31 - 1;
const TOKEN = /^[1-9]\d*(?:\.[0-9a-f]+)?$/;

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

/** Runs `change` while this process holds `<target>.lock`. */
async function withLock<T>(
  path: string,
  target: string,
  waitMs: number,
  change: () => Promise<T>,
): Promise<T> {
  const lock = `${target}.lock`;
  const deadline = Date.now() + waitMs;
  let token: string | undefined;
  for (let tries = 0; ; tries += 1) {
    let attempt: Attempt;
    try {
      attempt = await take(lock, lock);
    } catch (error) {
      throw new SecretsFileError(
        "write_failed",
        path,
        `Cannot change the secrets file ${path}: the lock file ${lock} cannot be created (${errorCode(error) ?? "error"}). ` +
          "Check that this user can write to its folder.",
        { cause: error },
      );
    }
    if (attempt.token !== undefined) {
      token = attempt.token;
      break;
    }
    if (attempt.retryNow) continue;
    if (Date.now() >= deadline) {
      throw new SecretsFileError(
        "locked",
        path,
        `Another process has been changing ${path} for ${waitMs / 1000} s (lock file ${lock}). ` +
          "If no rotate or retire is running, delete the lock file and try again.",
      );
    }
    // Backing off to a few times the base interval, jittered so that many waiters do not retry in step.
    const interval = LOCK_POLL_MS * Math.min(4, 1.25 ** tries);
    await new Promise((resolve) => setTimeout(resolve, interval * (0.5 + Math.random())));
  }
  try {
    await sweepLeftovers(target);
    return await change();
  } finally {
    await release(token, lock);
  }
}

/**
 * Removes what a process killed in the middle of a change left beside the file: its lock's staging copy
 * (`<file>.lock.<pid>.<hex>`) and its temporary file (`.<file>.<pid>.<hex>.tmp`). Both names carry the PID
 * of the only process that ever uses them, so once it is gone they are litter. (Claims are never swept:
 * they are removed only through `breakStale`, like locks.)
 */
async function sweepLeftovers(target: string): Promise<void> {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const leftover = new RegExp(`^(?:${name}\\.lock|\\.${name})\\.([1-9]\\d*)\\.[0-9a-f]+(?:\\.tmp)?$`);
  const folder = dirname(target);
  for (const entry of await readdir(folder).catch(() => [])) {
    const pid = leftover.exec(entry)?.[1];
    if (pid !== undefined && ownerIsGone(pid)) await unlink(join(folder, entry)).catch(() => undefined);
  }
}

interface Attempt {
  /** Set when this process now holds the lock. */
  token?: string;
  /** Set when the name is free again (released meanwhile, or its dead owner's lock was removed). */
  retryNow?: boolean;
}

/**
 * One try at creating `name` (the lock, or a claim on a stale one) holding a fresh token of ours. While a
 * live process holds it, a try is one read: waiting costs little, even for many waiters in one process.
 */
async function take(lock: string, name: string): Promise<Attempt> {
  let held = await readToken(name);
  if (held === undefined) {
    const token = `${process.pid}.${randomBytes(8).toString("hex")}`;
    const own = `${lock}.${token}`;
    await writeFile(own, `${token}\n`, { flag: "wx", mode: NEW_FILE_MODE });
    try {
      await link(own, name);
      return { token };
    } catch (error) {
      if (errorCode(error) !== "EEXIST") throw error;
    } finally {
      await unlink(own).catch(() => undefined);
    }
    held = await readToken(name);
    if (held === undefined) return { retryNow: true }; // released meanwhile
  }
  if (!ownerIsGone(held)) return {};
  return { retryNow: await breakStale(lock, name, held) };
}

/** Removes `name` if it still holds `stale`, under a claim that no other breaker of `stale` can hold. */
async function breakStale(lock: string, name: string, stale: string): Promise<boolean> {
  const claim = `${lock}.break.${stale}`;
  const { token, retryNow } = await take(lock, claim);
  // Another process is breaking it, or a dead breaker's claim was just removed (then try again at once).
  if (token === undefined) return retryNow === true;
  try {
    // Holding the claim, only we may remove a lock holding `stale`, and its dead owner never will.
    if ((await readToken(name)) !== stale) return true;
    await unlink(name).catch(() => undefined);
    return true;
  } finally {
    await release(token, claim);
  }
}

/** Removes `name` only if it still holds this process's `token`: no one else's lock is ever removed. */
async function release(token: string, name: string): Promise<void> {
  // While its owner runs, no one else removes a lock, so what is read here stays until the unlink.
  if ((await readToken(name)) === token) await unlink(name).catch(() => undefined);
}

async function readToken(name: string): Promise<string | undefined> {
  try {
    return (await readFile(name, "utf8")).trim();
  } catch (error) {
    if (errorCode(error) === "ENOENT") return undefined;
    throw error;
  }
}

function ownerIsGone(token: string): boolean {
  // Anything else (an empty or foreign file) cannot be judged: it is waited for, then reported as `locked`.
  if (!TOKEN.test(token)) return false;
  try {
    process.kill(Number.parseInt(token, 10), 0);
    return false;
  } catch (error) {
    return errorCode(error) === "ESRCH"; // EPERM: alive, another user's
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
