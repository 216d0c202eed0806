// Prism, the project's mock server, used as a library for one job: producing the documented example of a
// status of an operation, for `npm start`'s answers. Which status and which example is decided by the mock's
// rules (src/mock-engine.ts) before Prism is asked, and Prism reads the same bundled spec
// (generated/openapi.json) the rules and the MSW handlers read, so both adapters send identical bodies.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@stoplight/prism-core";
import type { PrismHttpComponents } from "@stoplight/prism-http";
import { getHttpOperationsFromSpec } from "@stoplight/prism-http";
import prismMockModule from "@stoplight/prism-http/dist/mocker/index.js";
import type { ExampleSource } from "../mock-engine.js";

type MockComponent = PrismHttpComponents["mock"];
// A CommonJS module with `exports.default`: under NodeNext the import binds to module.exports.
const prismMock: MockComponent = prismMockModule.default;
// Prism's mocker logs every request through pino; the server logs one line per request itself.
const silent = createLogger("mock", { level: "silent" });

/** Path of the bundled spec inside the package. */
const SPEC_RELATIVE_PATH = join("generated", "openapi.json");

class SpecNotFoundError extends Error {
  override readonly name = "SpecNotFoundError";
}

/**
 * Walks up from `start` to the first folder that contains `generated/openapi.json`, and returns that file.
 * The package root, not the working directory: `npm start` (dist/mock/cli.mjs) and tests importing the
 * TypeScript source sit at different depths.
 */
function findSpec(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let folder = start;
  for (;;) {
    const candidate = join(folder, SPEC_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) {
      throw new SpecNotFoundError(
        `Cannot find ${SPEC_RELATIVE_PATH} in ${start} or any folder above it. Run the mock from a checkout ` +
          "of this package (npm run generate writes it).",
      );
    }
    folder = parent;
  }
}

/** Examples as Prism produces them from the spec at `specPath`: the `examples` source of `npm start`. */
export async function prismExamples(specPath: string = findSpec()): Promise<ExampleSource> {
  const operations = await getHttpOperationsFromSpec(specPath);
  return (operation, status, example) => {
    const resource = operations.find(
      (candidate) => candidate.method.toUpperCase() === operation.method && candidate.path === operation.path,
    );
    if (resource === undefined) throw new Error(`Prism does not know ${operation.method} ${operation.path}.`);
    // No Accept header: the rules ignore it, as the API does, so Prism must not negotiate on it either.
    const input = {
      data: { method: resource.method, url: { path: operation.path }, headers: {} },
      validations: [],
    };
    const config = { dynamic: false, code: Number(status), exampleKey: example };
    const result = prismMock({ resource, input, config } as Parameters<MockComponent>[0])(silent);
    if (result._tag === "Left") throw result.left;
    return result.right.body;
  };
}
