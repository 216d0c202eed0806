// Runs `npm run docs`'s own entry point, so the tests look at exactly what writers and CI publish. The docs
// project's global setup builds dist/docs/ once per run (the script keeps a build made from the very same sources,
// keyed on their content); the test files only read it.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Json, ROOT, redoclyBin } from "../../support/spec.js";

export { ROOT };
export const DOCS_DIR = join(ROOT, "dist", "docs");
export const PAGE = join(DOCS_DIR, "index.html");
export const PREVIEW_SCRIPT = join(ROOT, "scripts", "preview-docs.mjs");
const BUILD_SCRIPT = join("scripts", "build-docs.mjs");

export interface BuildRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the build script of the project at `root` (this one by default), without blocking the test's thread. */
export function runBuild(root = ROOT): Promise<BuildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, BUILD_SCRIPT)], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * The spec bundled from openapi/ with every $ref resolved, what the page is checked against: bundleSpec() of
 * test/support/spec.ts, without blocking the thread, so that it runs while the browser starts.
 */
export async function dereferencedSpec(): Promise<Json> {
  const dir = await mkdtemp(join(tmpdir(), "docs-spec-"));
  try {
    const out = join(dir, "openapi.json");
    const args = [
      redoclyBin(),
      "bundle",
      "openapi/openapi.yaml",
      "--dereferenced",
      "--ext",
      "json",
      "-o",
      out,
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new Error(`redocly bundle --dereferenced failed (exit code ${code}):\n${output}`);
    return JSON.parse(await readFile(out, "utf8")) as Json;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A throwaway copy of everything the docs are built from, to damage; node_modules is shared by a link. With
 * `built`, it starts with this project's current dist/docs/, as a writer's checkout does after `npm run docs`.
 * With `redocly: "refusing"`, its Redocly (same version) fails at once whenever it is run, saying so: a cheap way
 * to see whether the build ran at all.
 */
export function copyDocsProject({ built = false, redocly = "real" as "real" | "refusing" } = {}): {
  root: string;
  remove(): void;
} {
  const root = mkdtempSync(join(tmpdir(), "docs-build-"));
  for (const entry of ["openapi", "docs", "redocly.yaml", "scripts/redocly-rules.mjs", BUILD_SCRIPT]) {
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  mkdirSync(join(root, "dist"));
  if (built) cpSync(DOCS_DIR, join(root, "dist", "docs"), { recursive: true });
  if (redocly === "real") {
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  } else {
    const cli = join(root, "node_modules", "@redocly", "cli");
    mkdirSync(join(cli, "bin"), { recursive: true });
    cpSync(join(ROOT, "node_modules", "@redocly", "cli", "package.json"), join(cli, "package.json"));
    writeFileSync(
      join(cli, "bin", "cli.js"),
      'console.error("Redocly was run: " + process.argv.slice(2).join(" "));\nprocess.exit(1);\n',
    );
    symlinkSync(join(ROOT, "node_modules", "yaml"), join(root, "node_modules", "yaml"), "dir");
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
