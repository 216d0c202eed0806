// Refreshes the live API's snapshot (test/fixtures/upstream/openapi-webhooks.json) from a newer copy of its full
// OpenAPI document: keeps `openapi`, `info`, `servers`, every path under /api/v2/webhooks, the schemas those paths
// reach (sorted by name) and the security schemes, unchanged, and nothing else. Run on the current snapshot it
// writes it back byte for byte, which a unit test checks.
//
//   npm run refresh:upstream -- <openapi.json>      (node scripts/refresh-upstream.mjs <openapi.json>)
//
// Then update the source, date and sha256 in test/fixtures/upstream/README.md and run `npm run check:upstream`.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const OUTPUT = "test/fixtures/upstream/openapi-webhooks.json";
const PREFIX = "/api/v2/webhooks";
const SCHEMA_REF = /^#\/components\/schemas\/(.+)$/;

/** The snapshot's text for a full OpenAPI document. */
export function extractWebhooks(full) {
  const paths = Object.fromEntries(
    Object.entries(full.paths ?? {}).filter(([path]) => path.startsWith(PREFIX)),
  );
  if (Object.keys(paths).length === 0) throw new Error(`The document has no path under ${PREFIX}.`);
  const names = new Set();
  const reach = (node) => {
    if (node === null || typeof node !== "object") return;
    const name = typeof node.$ref === "string" ? SCHEMA_REF.exec(node.$ref)?.[1] : undefined;
    if (name && !names.has(name)) {
      names.add(name);
      reach(full.components?.schemas?.[name]);
    }
    for (const value of Object.values(node)) reach(value);
  };
  reach(paths);
  const schemas = Object.fromEntries([...names].sort().map((name) => [name, full.components.schemas[name]]));
  const snapshot = {
    openapi: full.openapi,
    info: full.info,
    servers: full.servers,
    paths,
    components: { schemas, securitySchemes: full.components?.securitySchemes },
  };
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const source = process.argv[2];
  if (!source) {
    console.error("usage: node scripts/refresh-upstream.mjs <the live API's openapi.json>");
    process.exit(2);
  }
  try {
    const text = extractWebhooks(JSON.parse(await readFile(source, "utf8")));
    await writeFile(OUTPUT, text);
    console.log(`${OUTPUT} written, sha256 ${createHash("sha256").update(text).digest("hex")}`);
  } catch (error) {
    console.error(`refresh-upstream: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  }
}
