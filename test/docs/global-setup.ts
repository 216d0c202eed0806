// Docs project setup: build dist/docs/ once for every test file with `npm run docs`, which keeps a build made
// from the very same sources (keyed on their content) and rebuilds otherwise.
import { runBuild } from "./support/docs-build.js";

export default async function setup() {
  const build = await runBuild();
  if (build.status !== 0)
    throw new Error(`npm run docs failed, so there is nothing to test:\n${build.stderr}`);
}
