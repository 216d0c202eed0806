// Loads the spec the way consumers see it: bundled into one document with every $ref resolved. Also the pieces the
// spec-tooling tests share: a throwaway copy of the project to damage, and the types `npm run generate` writes.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REDOCLY = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");

export type Json = Record<string, unknown>;

/** What Redocly needs in a process's environment: no telemetry, no update notice, no colours in its output. */
export const REDOCLY_ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_COLOR: "1",
};

/**
 * Runs `redocly bundle --dereferenced` on a spec entry file and returns the parsed document. Several test files
 * read this project's own spec so; its bundle is kept under node_modules/.cache, named by a hash of everything
 * it is made from (the spec, redocly.yaml and its plugin, the Redocly and Node versions), so they share one
 * Redocly run and a changed input is simply a different file. Written whole and renamed into place, it is never
 * seen half-written by a file running in parallel.
 */
export function bundleSpec(entry = join(ROOT, "openapi", "openapi.yaml"), cwd = ROOT): Json {
  const cached = entry === join(ROOT, "openapi", "openapi.yaml") && cwd === ROOT ? cacheFile() : undefined;
  if (cached && existsSync(cached)) return JSON.parse(readFileSync(cached, "utf8")) as Json;
  const dir = mkdtempSync(join(tmpdir(), "rotate-spec-"));
  try {
    const out = join(dir, "openapi.json");
    execFileSync(process.execPath, [REDOCLY, "bundle", entry, "--dereferenced", "--ext", "json", "-o", out], {
      cwd,
      env: REDOCLY_ENV,
      stdio: "pipe",
    });
    const text = readFileSync(out, "utf8");
    if (cached) {
      mkdirSync(dirname(cached), { recursive: true });
      const partial = `${cached}.${process.pid}-${randomBytes(4).toString("hex")}`;
      writeFileSync(partial, text);
      renameSync(partial, cached);
    }
    return JSON.parse(text) as Json;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where the dereferenced bundle of this project's spec, as it is now, is cached. */
function cacheFile(): string {
  const hash = createHash("sha256");
  const redoclyPackage = join(ROOT, "node_modules", "@redocly", "cli", "package.json");
  hash.update(`${process.version}\n${JSON.parse(readFileSync(redoclyPackage, "utf8")).version}\n`);
  const specFiles = readdirSync(join(ROOT, "openapi"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
  for (const file of [...specFiles.sort(), "redocly.yaml", "scripts/redocly-rules.mjs"])
    hash
      .update(file)
      .update("\0")
      .update(readFileSync(join(ROOT, file)))
      .update("\0");
  return join(
    ROOT,
    "node_modules",
    ".cache",
    "hai-webhook-rotate",
    `spec-${hash.digest("hex").slice(0, 24)}.json`,
  );
}

export function redoclyBin(): string {
  return REDOCLY;
}

/** What the spec tools read in a project: the spec, generated/, and redocly.yaml with the lint plugin it loads. */
export const CONTRACT = ["openapi", "generated", "redocly.yaml", "scripts/redocly-rules.mjs"];

/**
 * Copies `entries` of this project into a fresh directory under the system's temp directory, so a test can damage
 * the copy; never openapi/ or generated/ themselves, which test files running in parallel read. Add the returned
 * directory to `scratch` and remove it when the file is done.
 */
export function copyProject(scratch: string[], entries = CONTRACT, prefix = "rotate-contract-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  for (const entry of entries) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  return dir;
}

/**
 * The text `npm run generate` writes to generated/api.ts for the spec at `entry`: openapi-typescript with the
 * package.json scripts' options, run in this process instead of as its CLI (which costs a second of start-up).
 * The drift-check test proves it matches the CLI's output byte for byte.
 */
export async function generateTypes(entry: string): Promise<string> {
  const { default: openapiTS, astToString, COMMENT_HEADER } = await import("openapi-typescript");
  const ast = await openapiTS(pathToFileURL(entry), { defaultNonNullable: false, silent: true });
  return `${COMMENT_HEADER}${astToString(ast)}`;
}

/**
 * A named example of the spec (`components.examples`), read from the committed bundle, generated/openapi.json
 * (the drift check keeps it equal to openapi/), as a fresh copy: tests take the spec's examples from here rather
 * than copying them by hand.
 */
export function specExample<T = Json>(name: string): T {
  const examples = (JSON.parse(readFileSync(join(ROOT, "generated", "openapi.json"), "utf8")) as Json)
    .components as { examples: Record<string, { value: T }> };
  const example = examples.examples[name];
  if (!example) throw new Error(`The spec has no example named ${name} under components.examples.`);
  return example.value;
}
