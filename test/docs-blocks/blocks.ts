// Runs the documentation's code blocks the way a newcomer follows them, so a command that fails as written
// fails `npm test`. The rules (CONTRIBUTING.md, "Code blocks in the docs", says the same for writers):
//
// - Every fenced `sh`/`bash`/`shell` and `ts`/`typescript` block runs, unless the line right before its fence
//   is `<!-- not-run: <reason> -->` with a reason. Other fences (`text`, `json`...) are output or data.
// - Each Markdown file is one session with its own workspace: `hai-webhook-rotate/` (a fresh clone after
//   `npm install`: what git would check out, node_modules hard-linked, nothing built) and `my-app/` beside it (an
//   empty folder: "your project"). Blocks run in document order, each starting in the clone, or in `my-app/`
//   with `<!-- run: app -->`. Exported variables carry over from block to block, as in one terminal.
// - `<!-- run: background port=<n> -->` starts a long-running command (a server) in the background, as in
//   another terminal, and goes on once it listens on 127.0.0.1:<n>. It stops when the file is done, or when a
//   later background block waits on the same port (as a reader presses Ctrl-C before starting the next).
// - If no block of a file starts something on 4010, the mock (`npm start`) is started there first, as the
//   guides ask their reader to. The ports a file uses must be free; a busy one fails its blocks with a message.
// - Shell blocks run through `bash -e -o pipefail`. TypeScript blocks are saved in their folder (under the name
//   given by `<!-- run: file=<name> -->`, then not run by themselves: a later shell block uses them), run with
//   Node after esbuild strips their types, and type-checked with tsc (strict, NodeNext) when the file is done.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { transformSync } from "esbuild";

const execFileAsync = promisify(execFile);

/** The mock's default port: started for every file that does not start its own. */
export const MOCK_PORT = 4010;

export interface Block {
  /** Path of the Markdown file, relative to the repository root. */
  file: string;
  /** Line of the opening fence (1-based). */
  line: number;
  language: "sh" | "ts";
  code: string;
  /** What the line before the fence asks for; `problem` when it cannot be followed. */
  run:
    | { kind: "run"; context: "clone" | "app"; background?: number; saveAs?: string }
    | { kind: "not-run"; reason: string }
    | { kind: "problem"; problem: string };
}

const LANGUAGES: Record<string, Block["language"]> = {
  sh: "sh",
  bash: "sh",
  shell: "sh",
  ts: "ts",
  typescript: "ts",
};

function readMarker(previous: string | undefined): Block["run"] {
  const comment = /^\s*<!--\s*(not-run|run)\s*:(.*?)-->\s*$/.exec(previous ?? "");
  if (!comment) return { kind: "run", context: "clone" };
  const [, kind, rest = ""] = comment;
  if (kind === "not-run") {
    const reason = rest.trim();
    return reason
      ? { kind: "not-run", reason }
      : { kind: "problem", problem: "`<!-- not-run: -->` needs a reason after the colon" };
  }
  const run: Block["run"] = { kind: "run", context: "clone" };
  for (const word of rest.trim().split(/\s+/).filter(Boolean)) {
    const [key, value] = word.split("=", 2);
    if (key === "app" || key === "clone") run.context = key;
    else if (key === "background" && value === undefined) run.background = 0;
    else if (key === "port" && value && /^\d+$/.test(value)) run.background = Number(value);
    else if (key === "file" && value && /^[\w.-]+$/.test(value)) run.saveAs = value;
    else
      return {
        kind: "problem",
        problem: `unknown word \`${word}\` in <!-- run: -->: use app, clone, background port=<n>, file=<name>`,
      };
  }
  if (run.background === 0)
    return { kind: "problem", problem: "a background block needs the port it listens on: `port=<n>`" };
  return run;
}

/** The runnable (or marked) code blocks of one Markdown file, in document order. */
export function extractBlocks(markdown: string, file: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[index] as string);
    if (!open) continue;
    const [, indent = "", fence = "", info = ""] = open;
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length; index += 1) {
      const line = lines[index] as string;
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const language = LANGUAGES[info.toLowerCase()];
    if (language === undefined) continue;
    blocks.push({
      file,
      line: start + 1,
      language,
      code: body.join("\n"),
      run: readMarker(lines[start - 1]),
    });
  }
  return blocks;
}

/** The relative links of a Markdown file to other files of the repository, resolved from the root. */
export function localLinks(markdown: string, file: string): string[] {
  const targets = new Set<string>();
  for (const [, target = ""] of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    const path = target.split("#")[0] as string;
    targets.add(relative(".", join(dirname(file), path)));
  }
  return [...targets];
}

export interface BlockResult {
  block: Block;
  status: "passed" | "failed" | "not-run";
  /** What the block printed (both streams), or why it failed or was not run. */
  output: string;
  /** How long it ran (0 when not run). */
  ms: number;
}

export interface SessionOptions {
  /** The repository to copy. */
  root: string;
  /** How long a background block may take to listen on its port. */
  listenTimeoutMs?: number;
  /** How long a foreground block may run. */
  blockTimeoutMs?: number;
}

// What a newcomer's shell would not have: the variables `npm run` and vitest set, and the project's own
// settings that the docs tell readers to set themselves.
const INHERITED_NOT =
  /^(npm_|NODE_ENV$|NODE_OPTIONS$|VITEST|TEST$|INIT_CWD$|HAI_|H_API_KEY$|MOCK_|WEBHOOK_|CONTRACT_)/;

function newcomerEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!INHERITED_NOT.test(name)) env[name] = value;
  // `npm run` puts the repository's node_modules/.bin first: a reader's PATH has no such entry.
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((entry) => !entry.includes("node_modules"))
    .join(":");
  env.NO_COLOR = "1";
  env.REDOCLY_TELEMETRY = "off";
  return env;
}

/** A copy of what a fresh clone holds after `npm install`: tracked and new files, node_modules hard-linked (no dist/). */
async function createWorkspace(root: string): Promise<{ dir: string; clone: string; app: string }> {
  const dir = mkdtempSync(join(tmpdir(), "docs-blocks-"));
  const clone = join(dir, "hai-webhook-rotate");
  const app = join(dir, "my-app");
  mkdirSync(clone);
  mkdirSync(app);
  const { stdout } = await execFileAsync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
  for (const path of stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(root, path))) continue; // deleted but not yet committed
    mkdirSync(dirname(join(clone, path)), { recursive: true });
    copyFileSync(join(root, path), join(clone, path));
  }
  // Hard links cost no copying; npm replaces files rather than writing into them, so an `npm install` in the
  // copy leaves the repository's own node_modules alone. Its record of what is installed is copied for real.
  await execFileAsync("cp", ["-al", join(root, "node_modules"), join(clone, "node_modules")]);
  const record = join(clone, "node_modules", ".package-lock.json");
  if (existsSync(record)) {
    rmSync(record);
    copyFileSync(join(root, "node_modules", ".package-lock.json"), record);
  }
  return { dir, clone, app };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer()
      .once("error", () => done(false))
      .listen(port, "127.0.0.1", () => probe.close(() => done(true)));
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1")
      .once("connect", () => {
        socket.destroy();
        done(true);
      })
      .once("error", () => done(false));
  });
}

interface Background {
  port: number;
  process: ChildProcess;
  log: () => string;
  exited: boolean;
}

async function stop(server: Background): Promise<void> {
  if (server.exited || server.process.pid === undefined) return;
  const exited = new Promise((done) => server.process.once("exit", done));
  // The block runs in its own process group: npm and the server it starts stop together.
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(server.process.pid as number), name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  if ((await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])) === false) {
    signal("SIGKILL");
    await exited;
  }
}

const tail = (text: string, lines = 40) => text.trimEnd().split("\n").slice(-lines).join("\n");

/**
 * Runs the blocks of one Markdown file in a fresh workspace, in order, and says how each went. Never throws
 * for a block's failure: it is reported in that block's result.
 */
export async function runSession(blocks: Block[], options: SessionOptions): Promise<BlockResult[]> {
  const listenTimeoutMs = options.listenTimeoutMs ?? 120_000;
  const blockTimeoutMs = options.blockTimeoutMs ?? 240_000;
  const results = new Map<Block, BlockResult>();
  const set = (block: Block, status: BlockResult["status"], output: string, ms = 0) =>
    results.set(block, { block, status, output, ms: ms || (results.get(block)?.ms ?? 0) });

  for (const block of blocks) {
    if (block.run.kind === "not-run") set(block, "not-run", block.run.reason);
    if (block.run.kind === "problem") set(block, "failed", `the line before the fence: ${block.run.problem}`);
  }
  const runnable = blocks.filter((block) => block.run.kind === "run");
  if (runnable.length === 0) return blocks.map((block) => results.get(block) as BlockResult);

  const ports = new Set(
    runnable.flatMap((block) => (block.run.kind === "run" ? [block.run.background] : [])),
  );
  const startsMock = ports.has(MOCK_PORT);
  ports.add(MOCK_PORT);
  for (const port of ports) {
    if (port !== undefined && !(await portIsFree(port))) {
      for (const block of runnable)
        set(
          block,
          "failed",
          `port ${port} on 127.0.0.1 is in use by another program, and these docs use it: stop that program and run again`,
        );
      return blocks.map((block) => results.get(block) as BlockResult);
    }
  }

  const workspace = await createWorkspace(options.root);
  try {
    await runInWorkspace(
      runnable,
      workspace,
      options.root,
      set,
      results,
      startsMock,
      listenTimeoutMs,
      blockTimeoutMs,
    );
  } finally {
    rmSync(workspace.dir, { recursive: true, force: true });
  }
  return blocks.map((block) => results.get(block) as BlockResult);
}

async function runInWorkspace(
  runnable: Block[],
  workspace: { dir: string; clone: string; app: string },
  root: string,
  set: (block: Block, status: BlockResult["status"], output: string, ms?: number) => void,
  results: Map<Block, BlockResult>,
  startsMock: boolean,
  listenTimeoutMs: number,
  blockTimeoutMs: number,
): Promise<void> {
  const harness = join(workspace.dir, ".harness");
  mkdirSync(harness);
  const state = join(harness, "exports.sh");
  writeFileSync(state, "");
  const env = newcomerEnvironment();
  const servers: Background[] = [];
  const typeChecked: Array<{ block: Block; dir: string; name: string }> = [];

  // One bash per block: the exports of earlier blocks first, then the block as written, in its folder.
  const script = (name: string, code: string, dir: string, keepExports: boolean) => {
    const path = join(harness, `${name}.sh`);
    const save = keepExports
      ? `trap 'export -p | grep -Ev "^declare -x (PWD|OLDPWD|SHLVL|_)(=|$)" > ${JSON.stringify(state)}' EXIT\n`
      : "";
    writeFileSync(
      path,
      `source ${JSON.stringify(state)}\n${save}cd ${JSON.stringify(dir)}\nset -e -o pipefail\n${code}\n`,
    );
    return path;
  };

  const startBackground = async (name: string, code: string, dir: string, port: number): Promise<string> => {
    const earlier = servers.find((server) => server.port === port && !server.exited);
    if (earlier) await stop(earlier);
    let log = "";
    const child = spawn("bash", ["--noprofile", "--norc", script(name, code, dir, false)], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server: Background = { port, process: child, log: () => log, exited: false };
    child.stdout?.on("data", (chunk) => (log += chunk));
    child.stderr?.on("data", (chunk) => (log += chunk));
    child.once("exit", () => (server.exited = true));
    servers.push(server);
    const deadline = Date.now() + listenTimeoutMs;
    while (Date.now() < deadline) {
      if (server.exited) return `it exited before listening on port ${port}:\n${tail(log)}`;
      if (await listening(port)) return "";
      await sleep(100);
    }
    await stop(server);
    return `nothing listened on 127.0.0.1:${port} within ${listenTimeoutMs / 1000} s:\n${tail(log)}`;
  };

  const runForeground = async (name: string, code: string, dir: string) => {
    const child = spawn("bash", ["--noprofile", "--norc", script(name, code, dir, true)], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[stopped after ${blockTimeoutMs / 1000} s]`;
      process.kill(-(child.pid as number), "SIGKILL");
    }, blockTimeoutMs);
    const status = await new Promise<number | null>((done) => child.once("exit", done));
    clearTimeout(timer);
    return { ok: status === 0, output: status === 0 ? output : `exit status ${status}:\n${tail(output)}` };
  };

  try {
    if (!startsMock) {
      const problem = await startBackground("mock", "npm start", workspace.clone, MOCK_PORT);
      if (problem) {
        for (const block of runnable) set(block, "failed", `the mock (npm start) did not start: ${problem}`);
        return;
      }
    }
    for (const block of runnable) {
      if (block.run.kind !== "run") continue;
      const dir = block.run.context === "app" ? workspace.app : workspace.clone;
      const started = Date.now();
      const done = (ok: boolean, output: string) =>
        set(block, ok ? "passed" : "failed", output, Date.now() - started);
      const name = `line-${block.line}`;
      if (block.language === "sh") {
        if (block.run.background !== undefined) {
          const problem = await startBackground(name, block.code, dir, block.run.background);
          done(!problem, problem);
        } else {
          const { ok, output } = await runForeground(name, block.code, dir);
          done(ok, output);
        }
        continue;
      }
      // TypeScript: saved where the reader saves it, run unless it is a file for a later block.
      const saveAs = block.run.saveAs ?? `docs-block-${block.line}.ts`;
      writeFileSync(join(dir, saveAs), `${block.code}\n`);
      typeChecked.push({ block, dir, name: saveAs });
      if (block.run.saveAs !== undefined) {
        done(true, `saved as ${saveAs}`);
        continue;
      }
      let compiled: string;
      try {
        compiled = transformSync(block.code, { loader: "ts", format: "esm", target: "node20" }).code;
      } catch (error) {
        done(false, `esbuild could not read it: ${(error as Error).message}`);
        continue;
      }
      const program = `docs-block-${block.line}.mjs`;
      writeFileSync(join(dir, program), compiled);
      const { ok, output } = await runForeground(name, `node ${program}`, dir);
      done(ok, output);
    }
  } finally {
    for (const server of servers.reverse()) await stop(server);
  }

  // Type-check each folder's TypeScript blocks in one tsc run, as a strict NodeNext project would.
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  for (const dir of new Set(typeChecked.map((entry) => entry.dir))) {
    const entries = typeChecked.filter((entry) => entry.dir === dir);
    const args = [
      tsc,
      "--noEmit",
      "--strict",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--skipLibCheck",
      "--types",
      "node",
      "--typeRoots",
      join(root, "node_modules", "@types"),
      "--pretty",
      "false",
      ...entries.map((entry) => entry.name),
    ];
    const output = await execFileAsync(process.execPath, args, { cwd: dir, env }).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    const lines = output.split("\n").filter((line) => line.includes("error TS"));
    const ownedBy = (entry: { name: string }) => (line: string) =>
      line.startsWith(`${entry.name}(`) || line.startsWith(`${resolve(dir, entry.name)}(`);
    // Errors outside the blocks themselves (a package that is not installed, say) belong to every block here.
    const elsewhere = lines.filter((line) => !entries.some((entry) => ownedBy(entry)(line)));
    for (const entry of entries) {
      const errors = [...lines.filter(ownedBy(entry)), ...elsewhere];
      if (errors.length === 0) continue;
      const before = results.get(entry.block)?.output;
      set(entry.block, "failed", `tsc:\n${errors.join("\n")}${before ? `\n${before}` : ""}`);
    }
  }
}

/** Reads a Markdown file of the repository. */
export function readDoc(root: string, file: string): string {
  return readFileSync(join(root, file), "utf8");
}
