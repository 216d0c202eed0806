// Lints the package exactly as it would be published: packs it once (from the current build, without the prepack
// rebuild, since `npm test` has just built), then runs publint and Are the Types Wrong on that tarball.
//
// attw uses the ESM-only profile because that is what we ship: no CommonJS build. `require()` still works on
// Node >= 20.19 through the `default` condition, but TypeScript's node16-from-CJS mode reports ESM as dynamic-import
// only, which is true. `./openapi.yaml` is left out of attw: it is a data file to read or resolve, not a module.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

if (!existsSync(join("dist", "src", "index.js"))) {
  console.error("dist/ is missing: run `npm run build` first.");
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), "check-package-"));
try {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    }),
  );
  const tarball = join(dir, packed.filename);
  // The tools by their bin names (npm run puts node_modules/.bin first on PATH; so do we, for a direct `node` run).
  const bin = fileURLToPath(new URL("../node_modules/.bin", import.meta.url));
  const tool = { stdio: "inherit", env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` } };
  execFileSync("publint", [tarball, "--strict"], tool);
  execFileSync("attw", [tarball, "--profile", "esm-only", "--exclude-entrypoints", "./openapi.yaml"], tool);
} catch (error) {
  // The tool has already printed its findings; stop with its exit code and no extra stack trace.
  process.exitCode = typeof error.status === "number" ? error.status : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
