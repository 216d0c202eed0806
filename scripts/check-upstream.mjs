// Holds the spec to the live API. The live API's own OpenAPI document, reduced to its webhook operations, is kept in
// test/fixtures/upstream/; for every operation both documents have (get, rotate, ping), each live parameter, status
// and response field must be in ours with a compatible type. Ours may be stricter (a pattern, a bound, a required
// field live leaves optional) only where openapi/upstream-decisions.yaml gives the reason. The report also lists
// what we add and what live has outside this contract.
//
//   node scripts/check-upstream.mjs                   bundle openapi/ with Redocly and compare
//   node scripts/check-upstream.mjs --spec <file>     compare an already bundled spec (generated/openapi.json)
//
// Exit codes: 0 compatible; 1 something live has is missing or incompatible, a strictness has no decision, or a
// decision no longer matches anything; 2 could not run.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { redocly } from "./build-docs.mjs";

export const SNAPSHOT = join("test", "fixtures", "upstream", "openapi-webhooks.json");
export const DECISIONS = join("openapi", "upstream-decisions.yaml");
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** Keywords that bound a value from below, from above, or pick exact values. */
const LOWER = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"];
const UPPER = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"];
const EXACT = ["pattern", "multipleOf"];

/** Follows a local `$ref` ("#/components/...") to what it points at. */
function deref(doc, node) {
  let hops = 0;
  while (node && typeof node.$ref === "string" && node.$ref.startsWith("#/") && hops++ < 32)
    node = node.$ref
      .slice(2)
      .split("/")
      .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  return node;
}

const typeSet = (value) => (value === undefined ? null : new Set([value].flat()));

/**
 * What a schema allows, flattened: `allOf` parts merged, `anyOf`/`oneOf` alternatives united (live writes
 * "string or null" as `anyOf: [{type: string}, {type: null}]`, ours as `type: [string, "null"]`).
 * `types` null means any type; `values` undefined means any value.
 */
function view(doc, schema) {
  const own = deref(doc, schema) ?? {};
  const out = {
    types: typeSet(own.type),
    values: undefined,
    bounds: {},
    properties: {},
    required: new Set(),
  };
  if (Array.isArray(own.enum)) out.values = own.enum;
  if ("const" in own) out.values = [own.const];
  if (own.format) out.format = own.format;
  for (const key of [...LOWER, ...UPPER, ...EXACT]) if (own[key] !== undefined) out.bounds[key] = own[key];
  Object.assign(out.properties, own.properties ?? {});
  for (const name of own.required ?? []) out.required.add(name);
  if (own.items) out.items = own.items;
  out.closed = own.additionalProperties === false;
  for (const part of (own.allOf ?? []).map((p) => view(doc, p))) {
    if (part.types) out.types = out.types ?? part.types;
    out.values ??= part.values;
    out.format ??= part.format;
    Object.assign(out.bounds, part.bounds);
    Object.assign(out.properties, part.properties);
    for (const name of part.required) out.required.add(name);
    out.items ??= part.items;
    out.closed ||= part.closed;
  }
  const alternatives = (own.anyOf ?? own.oneOf ?? []).map((p) => view(doc, p));
  if (alternatives.length > 0) {
    const anyType = alternatives.some((a) => a.types === null);
    if (!anyType && !own.type) out.types = new Set(alternatives.flatMap((a) => [...a.types]));
    // Values are limited only when every alternative is: by its own list, or by being `null` alone.
    const onlyNull = (a) => a.types?.size === 1 && a.types.has("null") && !a.values;
    if (!out.values && alternatives.every((a) => a.values || onlyNull(a)))
      out.values = alternatives.flatMap((a) => (onlyNull(a) ? [null] : a.values));
    for (const a of alternatives) {
      out.format ??= a.format;
      Object.assign(out.bounds, a.bounds);
      Object.assign(out.properties, a.properties);
      out.items ??= a.items;
    }
  }
  return out;
}

const covers = (types, type) => types.has(type) || (type === "integer" && types.has("number"));
const list = (values) => values.map((v) => JSON.stringify(v)).join(", ");

/**
 * Compares our schema with live's at `field`, calling `note(kind, field, keyword, detail)` for each difference:
 * `lack` (live has, ours does not), `incompatible`, `stricter` (ours refuses what live allows), `looser`, `add`.
 */
function compareSchemas(ours, live, field, note) {
  const o = view(ours.doc, ours.schema);
  const l = view(live.doc, live.schema);
  const at = (name) => (field ? `${field}.${name}` : name);
  if (o.types && !l.types) note("stricter", field, "type", `ours is ${[...o.types].join(" or ")}, live any`);
  if (o.types && l.types) {
    const refused = [...l.types].filter((type) => !covers(o.types, type));
    if (refused.length === l.types.size)
      note(
        "incompatible",
        field,
        "type",
        `ours is ${[...o.types].join(" or ")}, live ${[...l.types].join(" or ")}`,
      );
    else if (refused.length > 0) note("stricter", field, "type", `ours refuses ${refused.join(", ")}`);
  }
  if (o.values) {
    const refused = l.values ? l.values.filter((v) => !o.values.some((w) => w === v)) : undefined;
    if (!l.values) note("stricter", field, "enum", `ours allows only ${list(o.values)}, live any value`);
    else if (refused.length > 0) note("stricter", field, "enum", `ours refuses ${list(refused)}`);
  }
  if (o.format && o.format !== l.format)
    note("stricter", field, "format", `ours "${o.format}", live ${l.format ? `"${l.format}"` : "none"}`);
  for (const [key, value] of Object.entries(o.bounds)) {
    const theirs = l.bounds[key];
    const tighter =
      theirs === undefined ||
      (LOWER.includes(key) && value > theirs) ||
      (UPPER.includes(key) && value < theirs) ||
      (EXACT.includes(key) && value !== theirs);
    if (tighter)
      note(
        "stricter",
        field,
        key,
        `ours ${JSON.stringify(value)}, live ${theirs === undefined ? "none" : JSON.stringify(theirs)}`,
      );
  }
  for (const [name, schema] of Object.entries(l.properties)) {
    if (!(name in o.properties)) note("lack", at(name), "property", "live has this field, ours does not");
    else compareSchemas({ ...ours, schema: o.properties[name] }, { ...live, schema }, at(name), note);
  }
  for (const name of Object.keys(o.properties))
    if (!(name in l.properties)) note("add", at(name), "property", "ours has this field, live does not");
  for (const name of o.required)
    if (!l.required.has(name) && name in l.properties)
      note("stricter", at(name), "required", "ours requires it, live leaves it optional");
  for (const name of l.required)
    if (!o.required.has(name) && name in o.properties)
      note("looser", at(name), "required", "live requires it, ours leaves it optional");
  if (o.closed && !l.closed)
    note("stricter", field, "additionalProperties", "ours refuses other fields, live allows them");
  if (l.items && o.items)
    compareSchemas({ ...ours, schema: o.items }, { ...live, schema: l.items }, `${field}[]`, note);
  else if (l.items && !o.items && o.types?.has("array"))
    note("lack", `${field}[]`, "items", "live types the items");
}

/** The security schemes an operation accepts, as `http bearer` and the like. */
function schemes(doc, operation) {
  return new Set(
    (operation.security ?? doc.security ?? []).flatMap((requirement) =>
      Object.keys(requirement).map((name) => {
        const scheme = deref(doc, doc.components?.securitySchemes?.[name]) ?? {};
        return [scheme.type, scheme.scheme ?? scheme.in].filter(Boolean).join(" ");
      }),
    ),
  );
}

function operations(doc) {
  const found = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const method of METHODS)
      if (item[method])
        found.push({ key: `${method.toUpperCase()} ${path}`, path, method, op: item[method] });
  return found;
}

/** Compares a bundled spec (`ours`) with the live document; returns every finding, uncollated. */
function findings(ours, live) {
  const found = [];
  const mine = new Map(operations(ours).map((o) => [o.key, o]));
  const shared = [];
  for (const theirs of operations(live)) {
    const own = mine.get(theirs.key);
    if (!own) {
      found.push({
        kind: "outside",
        where: theirs.key,
        field: "",
        keyword: "operation",
        detail: theirs.op.operationId,
      });
      continue;
    }
    shared.push(own.op.operationId);
    const label = own.op.operationId;
    const note = (where) => (kind, field, keyword, detail) =>
      found.push({ kind, where, field, keyword, detail });

    for (const scheme of schemes(live, theirs.op))
      if (!schemes(ours, own.op).has(scheme))
        note(label)("lack", "security", scheme, "live accepts it, ours does not");

    const ownParams = (own.op.parameters ?? []).map((p) => deref(ours, p));
    for (const parameter of (theirs.op.parameters ?? []).map((p) => deref(live, p))) {
      const field = `${parameter.in} parameter ${parameter.name}`;
      const match = ownParams.find((p) => p.in === parameter.in && p.name === parameter.name);
      if (!match) {
        note(label)("lack", field, "parameter", "live takes it, ours does not");
        continue;
      }
      if (match.required && !parameter.required)
        note(label)("stricter", field, "required", "ours requires it");
      compareSchemas(
        { doc: ours, schema: match.schema },
        { doc: live, schema: parameter.schema },
        field,
        note(label),
      );
    }
    for (const parameter of ownParams)
      if (!(theirs.op.parameters ?? []).some((p) => deref(live, p).name === parameter.name))
        note(label)(
          "add",
          `${parameter.in} parameter ${parameter.name}`,
          "parameter",
          "ours takes it, live does not",
        );

    const ownResponses = own.op.responses ?? {};
    for (const [status, response] of Object.entries(theirs.op.responses ?? {})) {
      const match = deref(ours, ownResponses[status]);
      if (!match) {
        note(`${label} ${status}`)("lack", "", "status", "live documents it, ours does not");
        continue;
      }
      for (const [type, media] of Object.entries(deref(live, response).content ?? {})) {
        const mine = match.content?.[type];
        if (!mine) note(`${label} ${status}`)("lack", type, "content", "live answers with it, ours does not");
        else
          compareSchemas(
            { doc: ours, schema: mine.schema },
            { doc: live, schema: media.schema },
            "",
            note(`${label} ${status}`),
          );
      }
    }
    for (const status of Object.keys(ownResponses))
      if (!(status in (theirs.op.responses ?? {})))
        note(`${label} ${status}`)("add", "", "status", "ours documents it, live does not");
  }
  for (const name of Object.keys(ours.webhooks ?? {}))
    if (!(name in (live.webhooks ?? {})))
      found.push({
        kind: "add",
        where: `webhooks.${name}`,
        field: "",
        keyword: "webhook",
        detail: "the signed deliveries",
      });
  return { found, shared };
}

/**
 * The whole check on documents already loaded: `decisions` is the parsed upstream-decisions.yaml.
 * Returns `{ exitCode, text, findings }`; exported so tests can plant differences in process.
 */
export function compareWithUpstream(ours, live, decisions) {
  const { found, shared } = findings(ours, live);
  const decided = (f) => decisions.find((d) => d.field === f.field && d.keyword === f.keyword);
  const used = new Set();
  for (const f of found)
    if (f.kind === "stricter" && decided(f)) {
      f.kind = "decided";
      used.add(decided(f));
    }
  const stale = decisions.filter((d) => !used.has(d));

  // One line per difference, with every operation and status it appears at.
  const collate = (kind) => {
    const lines = new Map();
    for (const f of found.filter((x) => x.kind === kind)) {
      const key = [f.field, f.keyword, f.detail].join("\0");
      const line = lines.get(key) ?? { ...f, wheres: [] };
      line.wheres.push(f.where);
      lines.set(key, line);
    }
    return [...lines.values()].map((line) => {
      const what = [line.field, line.keyword].filter(Boolean).join(" ");
      return `  ${what}: ${line.detail} [${line.wheres.join(", ")}]`;
    });
  };
  const sections = [
    ["lack", "Live has, ours lacks"],
    ["incompatible", "Incompatible types"],
    ["stricter", "Ours is stricter, with no decision in openapi/upstream-decisions.yaml"],
    ["decided", "Ours is stricter by decision (openapi/upstream-decisions.yaml)"],
    ["looser", "Ours is looser"],
    ["add", "Ours adds"],
    ["outside", "Live operations outside this contract"],
  ];
  const out = [
    `check:upstream: the bundled spec against the live API's document (${SNAPSHOT})`,
    `Compared: ${shared.join(", ") || "no operation in common"}`,
  ];
  for (const [kind, title] of sections) {
    const lines = collate(kind);
    out.push(`${title} (${lines.length}):`, ...(lines.length > 0 ? lines : ["  none"]));
  }
  if (stale.length > 0)
    out.push(
      `Decisions that match no difference any more (${stale.length}): remove them from ${DECISIONS}`,
      ...stale.map((d) => `  ${d.field} ${d.keyword}`),
    );
  const refused = ["lack", "incompatible", "stricter"].reduce(
    (sum, kind) => sum + found.filter((f) => f.kind === kind).length,
    stale.length + (shared.length === 0 ? 1 : 0),
  );
  out.push(
    refused === 0
      ? "OK: every live parameter, status and response field is in ours, with a compatible type."
      : `Refused: ${refused} problem(s) above. Add what live has, make ours compatible, or record a deliberate ` +
          `strictness with its reason in ${DECISIONS}.`,
  );
  return { exitCode: refused === 0 ? 0 : 1, text: out.join("\n"), findings: found };
}

/** A fresh Redocly bundle of openapi/ in `cwd`, telemetry off. */
async function bundle(cwd) {
  const dir = await mkdtemp(join(tmpdir(), "check-upstream-"));
  try {
    const config = join(dir, "redocly.yaml");
    await writeFile(config, "telemetry: off\n");
    const out = join(dir, "openapi.json");
    await redocly(
      ["bundle", join("openapi", "openapi.yaml"), "--config", config, "--ext", "json", "-o", out],
      cwd,
    );
    return JSON.parse(await readFile(out, "utf8"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the inputs in `cwd` and runs the check. */
export async function checkUpstream({ cwd = process.cwd(), spec } = {}) {
  const ours = spec ? JSON.parse(await readFile(join(cwd, spec), "utf8")) : await bundle(cwd);
  const live = JSON.parse(await readFile(join(cwd, SNAPSHOT), "utf8"));
  const decisions = parse(await readFile(join(cwd, DECISIONS), "utf8")) ?? [];
  for (const d of decisions)
    if (
      typeof d?.field !== "string" ||
      typeof d?.keyword !== "string" ||
      typeof d?.why !== "string" ||
      !d.why.trim()
    )
      throw new Error(
        `${DECISIONS}: every entry needs a field, a keyword and a why; ${JSON.stringify(d)} does not.`,
      );
  return compareWithUpstream(ours, live, decisions);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options;
  try {
    options = parseArgs({ options: { spec: { type: "string" } } }).values;
  } catch (error) {
    console.error(`${error.message}\nusage: node scripts/check-upstream.mjs [--spec <bundled spec.json>]`);
    process.exit(2);
  }
  try {
    const { text, exitCode } = await checkUpstream(options);
    (exitCode === 0 ? console.log : console.error)(text);
    process.exitCode = exitCode;
  } catch (error) {
    console.error(`check:upstream could not run: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 2;
  }
}
