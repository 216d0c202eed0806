// Runs `npm run docs`'s own entry point, so the tests look at exactly what writers and CI publish. A build takes
// about a second, so each test file simply builds afresh instead of guessing whether dist/docs/ is stale.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../support/spec.js";

export { ROOT };
export const DOCS_DIR = join(ROOT, "dist", "docs");
export const PAGE = join(DOCS_DIR, "index.html");
export const BUILD_SCRIPT = join(ROOT, "scripts", "build-docs.mjs");
export const PREVIEW_SCRIPT = join(ROOT, "scripts", "preview-docs.mjs");

export function buildDocs(): void {
  try {
    execFileSync(process.execPath, [BUILD_SCRIPT], { cwd: ROOT, stdio: "pipe", encoding: "utf8" });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`npm run docs failed, so there is nothing to test:\n${stderr}`, { cause: error });
  }
}
