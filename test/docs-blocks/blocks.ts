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
// - A `text` block marked `<!-- output -->` lists lines the block before it must print, in order (`...` matches
//   anything).
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
const MOCK_PORT = 4010;
// The mock builds its bundle on a fresh clone's first start: a few seconds, more on a busy machine.
const MOCK_START_TIMEOUT_MS = 120_000;

export interface Block {
  /** Path of the Markdown file, relative to the repository root. */
  file: string;
  /** Line of the opening fence (1-based). */
  line: number;
  language: "sh" | "ts";
  code: string;
  /** Lines the block must print, in this order (`...` matches anything): a text block marked `<!-- output -->`. */
  output?: string[];
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
    if (language === undefined) {
      // `<!-- output -->` before a text block: what the block before it must print.
      if (/^\s*<!--\s*output\s*-->\s*$/.test(lines[start - 1] ?? "")) {
        const previous = blocks.at(-1);
        if (previous) previous.output = body.filter((line) => line.trim() !== "");
      }
      continue;
    }
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
  /** How long a background block may take to listen on its port (the mock the harness starts gets 120 s). */
  listenTimeoutMs?: number;
  /** How long a foreground block may run. */
  blockTimeoutMs?: number;
  /** Where the harness starts the mock for files that do not start their own: 4010, as the docs say. */
  mockPort?: number;
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
  killGroup(server.process, "SIGTERM");
  if ((await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])) === false) {
    killGroup(server.process, "SIGKILL");
    await exited;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // already gone
  }
}

/** The first expected line missing from `output` (in order, `...` matching anything), or undefined. */
function missingLine(expected: readonly string[], output: string): string | undefined {
  const printed = output.split("\n");
  let from = 0;
  for (const line of expected) {
    const pattern = new RegExp(
      line
        .trim()
        .split("...")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*"),
    );
    const found = printed.findIndex((candidate, index) => index >= from && pattern.test(candidate));
    if (found === -1) return line;
    from = found + 1;
  }
  return undefined;
}

const tail = (text: string, lines = 40) => text.trimEnd().split("\n").slice(-lines).join("\n");

/**
 * Runs the blocks of one Markdown file in a fresh workspace, in order, and says how each went. Never throws
 * for a block's failure: it is reported in that block's result.
 */
export async function runSession(blocks: Block[], options: SessionOptions): Promise<BlockResult[]> {
  const results = new Map<Block, BlockResult>();
  const report = () => blocks.map((block) => results.get(block) as BlockResult);
  for (const block of blocks) {
    if (block.run.kind === "not-run")
      results.set(block, { block, status: "not-run", output: block.run.reason, ms: 0 });
    if (block.run.kind === "problem")
      results.set(block, {
        block,
        status: "failed",
        output: `the line before the fence: ${block.run.problem}`,
        ms: 0,
      });
  }
  const runnable = blocks.filter((block) => block.run.kind === "run");
  if (runnable.length === 0) return report();

  const ports = new Set(
    runnable.flatMap((block) => (block.run.kind === "run" ? [block.run.background] : [])),
  );
  const mockPort = options.mockPort ?? MOCK_PORT;
  const startsMock = ports.has(mockPort);
  ports.add(mockPort);
  for (const port of ports) {
    if (port === undefined || (await portIsFree(port))) continue;
    const output = `port ${port} on 127.0.0.1 is in use by another program, and these docs use it: stop that program and run again`;
    for (const block of runnable) results.set(block, { block, status: "failed", output, ms: 0 });
    return report();
  }

  const session = new Session(await createWorkspace(options.root), options, results);
  try {
    await session.run(runnable, startsMock ? undefined : mockPort);
  } finally {
    await session.close();
  }
  return report();
}

/** One file's run: its workspace, the exports carried between blocks, its servers and its TypeScript files. */
class Session {
  private readonly harness: string;
  private readonly exports: string;
  private readonly env = newcomerEnvironment();
  private readonly servers: Background[] = [];
  private readonly typeScript: Array<{ block: Block; dir: string; name: string }> = [];
  private readonly listenTimeoutMs: number;
  private readonly blockTimeoutMs: number;

  constructor(
    private readonly workspace: { dir: string; clone: string; app: string },
    private readonly options: SessionOptions,
    private readonly results: Map<Block, BlockResult>,
  ) {
    this.harness = join(workspace.dir, ".harness");
    mkdirSync(this.harness);
    this.exports = join(this.harness, "exports.sh");
    writeFileSync(this.exports, "");
    this.listenTimeoutMs = options.listenTimeoutMs ?? 120_000;
    this.blockTimeoutMs = options.blockTimeoutMs ?? 240_000;
  }

  /** Runs the blocks in order, after starting the mock on `mockPort` if given. */
  async run(runnable: Block[], mockPort: number | undefined): Promise<void> {
    if (mockPort !== undefined) {
      const problem = await this.startBackground(
        "mock",
        `npm start -- --port ${mockPort}`,
        this.workspace.clone,
        mockPort,
        MOCK_START_TIMEOUT_MS,
      );
      if (problem) {
        const output = `the mock (npm start) did not start: ${problem}`;
        for (const block of runnable) this.results.set(block, { block, status: "failed", output, ms: 0 });
        return;
      }
    }
    for (const block of runnable) {
      const started = Date.now();
      const { ok, output } = await this.runBlock(block);
      this.results.set(block, { block, status: ok ? "passed" : "failed", output, ms: Date.now() - started });
    }
    await this.stopServers();
    await this.typeCheck();
  }

  async close(): Promise<void> {
    await this.stopServers();
    rmSync(this.workspace.dir, { recursive: true, force: true });
  }

  private async runBlock(block: Block): Promise<{ ok: boolean; output: string }> {
    if (block.run.kind !== "run") throw new Error("only runnable blocks get here");
    const dir = block.run.context === "app" ? this.workspace.app : this.workspace.clone;
    const name = `line-${block.line}`;
    let command = block.code;
    if (block.language === "sh" && block.run.background !== undefined) {
      const problem = await this.startBackground(name, command, dir, block.run.background);
      return { ok: problem === "", output: problem };
    }
    if (block.language === "ts") {
      // Saved where the reader saves it; run unless it is a file for a later block.
      const saveAs = block.run.saveAs ?? `docs-block-${block.line}.ts`;
      writeFileSync(join(dir, saveAs), `${block.code}\n`);
      this.typeScript.push({ block, dir, name: saveAs });
      if (block.run.saveAs !== undefined) return { ok: true, output: `saved as ${saveAs}` };
      try {
        const compiled = transformSync(block.code, { loader: "ts", format: "esm", target: "node20" }).code;
        writeFileSync(join(dir, `docs-block-${block.line}.mjs`), compiled);
      } catch (error) {
        return { ok: false, output: `esbuild could not read it: ${(error as Error).message}` };
      }
      command = `node docs-block-${block.line}.mjs`;
    }
    const { ok, output } = await this.runForeground(name, command, dir);
    const missing = ok && block.output ? missingLine(block.output, output) : undefined;
    return missing === undefined
      ? { ok, output }
      : {
          ok: false,
          output: `the output shown after it has a line it did not print (in that order):\n  ${missing}\nit printed:\n${tail(output)}`,
        };
  }

  /** One bash per block: the exports of earlier blocks first, then the block as written, in its folder. */
  private script(name: string, code: string, dir: string, keepExports: boolean): string {
    const path = join(this.harness, `${name}.sh`);
    const save = keepExports
      ? `trap 'export -p | grep -Ev "^declare -x (PWD|OLDPWD|SHLVL|_)(=|$)" > ${JSON.stringify(this.exports)}' EXIT\n`
      : "";
    writeFileSync(
      path,
      `source ${JSON.stringify(this.exports)}\n${save}cd ${JSON.stringify(dir)}\nset -e -o pipefail\n${code}\n`,
    );
    return path;
  }

  private spawnBlock(path: string): { child: ChildProcess; printed: () => string } {
    // Its own process group, so that stopping it stops what it started (npm, then node).
    const child = spawn("bash", ["--noprofile", "--norc", path], {
      env: this.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let printed = "";
    child.stdout?.on("data", (chunk) => (printed += chunk));
    child.stderr?.on("data", (chunk) => (printed += chunk));
    return { child, printed: () => printed };
  }

  private async startBackground(
    name: string,
    code: string,
    dir: string,
    port: number,
    timeoutMs = this.listenTimeoutMs,
  ): Promise<string> {
    const earlier = this.servers.find((server) => server.port === port && !server.exited);
    if (earlier) {
      await stop(earlier); // the reader's Ctrl-C
      // The block's shell can exit before the server it started lets go of the port: a new server started
      // now would fail to listen while the old one still answered the wait below.
      const freeBy = Date.now() + 10_000;
      while (!(await portIsFree(port)) && Date.now() < freeBy) await sleep(100);
    }
    const { child, printed } = this.spawnBlock(this.script(name, code, dir, false));
    const server: Background = { port, process: child, log: printed, exited: false };
    child.once("exit", () => (server.exited = true));
    this.servers.push(server);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (server.exited) return `it exited before listening on port ${port}:\n${tail(printed())}`;
      if (await listening(port)) return "";
      await sleep(100);
    }
    await stop(server);
    return `nothing listened on 127.0.0.1:${port} within ${timeoutMs / 1000} s:\n${tail(printed())}`;
  }

  private async runForeground(name: string, code: string, dir: string) {
    const { child, printed } = this.spawnBlock(this.script(name, code, dir, true));
    const exited = new Promise<number | null>((done) => child.once("exit", done));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, "SIGKILL");
    }, this.blockTimeoutMs);
    const status = await exited;
    clearTimeout(timer);
    if (status === 0) return { ok: true, output: printed() };
    const why = timedOut ? `stopped after ${this.blockTimeoutMs / 1000} s` : `exit status ${status}`;
    return { ok: false, output: `${why}:\n${tail(printed())}` };
  }

  private async stopServers(): Promise<void> {
    for (const server of this.servers.splice(0).reverse()) await stop(server);
  }

  /** Each folder's TypeScript blocks in one tsc run, as a strict NodeNext project would check them. */
  private async typeCheck(): Promise<void> {
    const tsc = join(this.options.root, "node_modules", "typescript", "bin", "tsc");
    for (const dir of new Set(this.typeScript.map((entry) => entry.dir))) {
      const entries = this.typeScript.filter((entry) => entry.dir === dir);
      const args = [
        ...["--noEmit", "--strict", "--skipLibCheck", "--pretty", "false", "--target", "es2022"],
        ...["--module", "nodenext", "--moduleResolution", "nodenext"],
        ...["--types", "node", "--typeRoots", join(this.options.root, "node_modules", "@types")],
      ];
      const output = await execFileAsync(
        process.execPath,
        [tsc, ...args, ...entries.map((entry) => entry.name)],
        { cwd: dir, env: this.env },
      ).then(
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
        const before = this.results.get(entry.block);
        const output = `tsc:\n${errors.join("\n")}${before?.output ? `\n${before.output}` : ""}`;
        this.results.set(entry.block, { block: entry.block, status: "failed", output, ms: before?.ms ?? 0 });
      }
    }
  }
}

/** Reads a Markdown file of the repository. */
export function readDoc(root: string, file: string): string {
  return readFileSync(join(root, file), "utf8");
}
