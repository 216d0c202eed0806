// Runs `npm run docs`'s own entry point, so the tests look at exactly what writers and CI publish. A build takes
// about a second, so each test file simply builds afresh instead of guessing whether dist/docs/ is stale; builds
// move finished files into place one by one, so test files building at the same time do not disturb each other.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../../support/spec.js";

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

/** Runs the build script of the project at `root` (this one by default). */
export function runBuild(root = ROOT): BuildRun {
  const run = spawnSync(process.execPath, [join(root, BUILD_SCRIPT)], { cwd: root, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

export function buildDocs(): void {
  const run = runBuild();
  if (run.status !== 0) throw new Error(`npm run docs failed, so there is nothing to test:\n${run.stderr}`);
}

/** A throwaway copy of everything the docs are built from, to damage; node_modules is shared by a link. */
export function copyDocsProject(): { root: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), "docs-build-"));
  for (const entry of ["openapi", "docs", "redocly.yaml", "scripts/redocly-rules.mjs", BUILD_SCRIPT]) {
    cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  }
  mkdirSync(join(root, "dist"));
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
