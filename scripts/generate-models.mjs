// Writes generated/models.ts: for each schema an API operation returns, its properties with their SDK-style
// (camelCase) names and whether each is an RFC 3339 date-time. src/models.ts turns wire objects into the official
// SDK's model shapes from this data, and derives the model types from it, so neither is a hand-kept field list.
//
//   node scripts/generate-models.mjs           write generated/models.ts (part of `npm run generate`)
//   node scripts/generate-models.mjs --check   exit 1 if generated/models.ts differs from what the spec gives
//
// Paths are relative to the working directory (the API alias in its redocly.yaml names the spec), so a test can
// run it on a changed copy of the project. A property this simple conversion cannot carry (a nested object, an
// array of date-times) stops the generator with a message rather than producing a model that is quietly wrong.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { redocly } from "./build-docs.mjs";

/** The API's alias in redocly.yaml. */
const API = "rotate";
const OUTPUT = join("generated", "models.ts");

/** `last_success_at` → `lastSuccessAt`, as the official TypeScript SDK names its model properties. */
export function sdkName(wireName) {
  return wireName.replace(/_([a-z0-9])/g, (_, next) => next.toUpperCase());
}

/** The spec bundled into one document, every schema still named under components.schemas. */
async function bundle(cwd) {
  const dir = await mkdtemp(join(tmpdir(), "models-"));
  try {
    const out = join(dir, "openapi.json");
    await redocly(["bundle", API, "--ext", "json", "--output", out], cwd);
    return JSON.parse(await readFile(out, "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

/** Names of the schemas that the operations under `paths` return with a 2xx status, in spec order. */
function returnedSchemas(spec) {
  const names = [];
  for (const item of Object.values(spec.paths ?? {}))
    for (const operation of Object.values(item))
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        if (!/^2/.test(status)) continue;
        for (const media of Object.values(response.content ?? {})) {
          const name = SCHEMA_REF.exec(media.schema?.$ref ?? "")?.[1];
          if (!name)
            throw new Error(
              `${operation.operationId} ${status}: the response schema must be a $ref to a named schema ` +
                "under components.schemas, so its model has a name.",
            );
          if (!names.includes(name)) names.push(name);
        }
      }
  return names;
}

function resolve(spec, schema) {
  const name = SCHEMA_REF.exec(schema?.$ref ?? "")?.[1];
  return name ? spec.components.schemas[name] : schema;
}

/** Properties and required names of an object schema, merging its `allOf` parts. */
function objectShape(spec, schema, where) {
  const own = resolve(spec, schema);
  const shape = { properties: {}, required: new Set(own.required ?? []) };
  for (const part of own.allOf ?? []) {
    const merged = objectShape(spec, part, where);
    Object.assign(shape.properties, merged.properties);
    for (const name of merged.required) shape.required.add(name);
  }
  Object.assign(shape.properties, own.properties ?? {});
  for (const keyword of ["oneOf", "anyOf", "additionalProperties", "patternProperties"])
    if (own[keyword] !== undefined && own[keyword] !== false)
      throw new Error(`${where} uses ${keyword}; the model generator only handles plain objects and allOf.`);
  return shape;
}

const types = (schema) => [schema.type ?? []].flat();

/** One field of a model, or an error naming what the conversion could not carry. */
function field(spec, model, wire, schema, required) {
  const where = `${model}.${wire}`;
  const own = resolve(spec, schema);
  const unsupported = (what) =>
    new Error(
      `${where} is ${what}, which the model conversion does not handle yet. Extend scripts/generate-models.mjs ` +
        "and src/models.ts for it (and their tests) before adding it to a schema the API returns.",
    );
  if (own.allOf || own.oneOf || own.anyOf) throw unsupported("a composed schema (allOf/oneOf/anyOf)");
  if (types(own).includes("object") || own.properties) throw unsupported("a nested object");
  if (types(own).includes("array")) {
    const items = resolve(spec, own.items ?? {});
    if (types(items).includes("object") || items.properties || items.format === "date-time")
      throw unsupported("an array of objects or date-times");
  }
  const dateTime = own.format === "date-time";
  if (dateTime && !types(own).every((t) => t === "string" || t === "null"))
    throw unsupported("a date-time that is not a string");
  return { wire, name: sdkName(wire), dateTime, required };
}

/** The generated module's text. */
export function renderModels(spec) {
  const models = {};
  for (const name of returnedSchemas(spec)) {
    const shape = objectShape(spec, { $ref: `#/components/schemas/${name}` }, name);
    const fields = Object.entries(shape.properties).map(([wire, schema]) =>
      field(spec, name, wire, schema, shape.required.has(wire)),
    );
    const names = fields.map((f) => f.name);
    const clash = names.find((n, i) => names.indexOf(n) !== i);
    if (clash) throw new Error(`${name}: two properties both become "${clash}" in camelCase.`);
    models[name] = fields;
  }
  const lines = [
    "// Generated from openapi/ by scripts/generate-models.mjs (`npm run generate`). Do not edit by hand.",
    "",
    "/**",
    " * For each schema an operation returns: every property, its name in the SDK's camelCase models, whether the",
    " * wire sends it as an RFC 3339 date-time (a `Date` in the model) and whether it is always present.",
    " */",
    "export const MODEL_FIELDS = {",
  ];
  for (const [name, fields] of Object.entries(models)) {
    lines.push(`  ${name}: [`);
    for (const f of fields)
      lines.push(
        `    { wire: ${JSON.stringify(f.wire)}, name: ${JSON.stringify(f.name)}, dateTime: ${f.dateTime}, required: ${f.required} },`,
      );
    lines.push("  ],");
  }
  lines.push("} as const;", "");
  return lines.join("\n");
}

export async function generateModels({ cwd = process.cwd(), check = false } = {}) {
  const text = renderModels(await bundle(cwd));
  const path = join(cwd, OUTPUT);
  if (check) {
    const current = await readFile(path, "utf8").catch(() => "");
    if (current !== text) throw new Error(`${relative(cwd, path)} is out of date with the spec.`);
    return;
  }
  await writeFile(path, text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes("--check");
  try {
    const started = performance.now();
    await generateModels({ check });
    if (!check) console.log(`models → ${OUTPUT} [${((performance.now() - started) / 1000).toFixed(1)}s]`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
