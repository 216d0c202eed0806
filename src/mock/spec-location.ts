// Finds the spec from the package root, not the working directory: `npm start`, the compiled CLI
// (dist/src/mock/cli.js) and tests importing the TypeScript source all sit at different depths.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Path of the spec inside the package. */
export const SPEC_RELATIVE_PATH = join("openapi", "openapi.yaml");

export class SpecNotFoundError extends Error {
  override readonly name = "SpecNotFoundError";
}

/** Walks up from `start` to the first folder that contains `openapi/openapi.yaml`, and returns that file. */
export function findSpec(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let folder = start;
  for (;;) {
    const candidate = join(folder, SPEC_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) {
      throw new SpecNotFoundError(
        `Cannot find ${SPEC_RELATIVE_PATH} in ${start} or any folder above it. Run the mock from a checkout ` +
          "of this package (the spec ships in its openapi/ folder).",
      );
    }
    folder = parent;
  }
}
