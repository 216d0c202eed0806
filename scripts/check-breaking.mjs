// Refuses a spec change that breaks existing clients (a removed operation, response or field, a narrowed type)
// unless the release says so with a new major version. The spec at a base git ref and the spec in the working tree
// are each bundled by Redocly into one document, and api-smart-diff sorts every difference into breaking,
// non-breaking, annotation (and deprecated / unclassified). This script adds three things the library does not do:
//
// - `webhooks` (the signed deliveries) are compared too, as if each delivery body were a response: receivers read
//   deliveries the way clients read responses, so a removed delivery field breaks them and a new one does not.
// - In a response, a replaced `type` is breaking unless the new types are a subset of the old ones, and a replaced
//   `const`, `format` or `pattern` is breaking (the library calls them non-breaking, `integer` to `string` too).
// - Responses, parameters and request bodies reached through a `$ref` are inlined first: the library judges a
//   referenced response as a component, out of context, and would pass a field removed from a 404 body.
// - Differences under `components` are the same changes seen from the shared schema, so they are not listed
//   twice; only a removed schema counts, since its generated type (`components["schemas"][Name]`) goes with it.
//
//   node scripts/check-breaking.mjs                  base: the newest v* tag, else the previous spec change
//   node scripts/check-breaking.mjs --previous       base: the previous commit that changed openapi/
//   node scripts/check-breaking.mjs --base <ref>     base: any git ref (tag, branch, commit)
//
// Exit codes: 0 no breaking change, or allowed by a higher major version in package.json (also when there is no
// base to compare with: then it says so, loudly, instead of passing quietly); 1 refused; 2 could not run.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { apiDiff } from "api-smart-diff";
import { redocly } from "./build-docs.mjs";

const ENTRY = join("openapi", "openapi.yaml");
/** Subschema lists whose index is not a field name. */
const COMBINERS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);

/** A base that cannot be compared with, for a reason to print; not a failure of the check. */
export class NoBaseError extends Error {}

function git(args, cwd) {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function isShallow(cwd) {
  return git(["rev-parse", "--is-shallow-repository"], cwd) === "true";
}

const SHALLOW_HINT =
  " The history is shallow: fetch it whole (`git fetch --unshallow --tags`) or name a base with --base <ref>.";

/**
 * The commit to compare with, and how it was chosen. Without `--base`: the newest `v*` tag (by version order), or
 * with `previous` or no tag the previous commit that changed openapi/, that is the spec before its latest change,
 * committed or not.
 */
export function resolveBase({ cwd = process.cwd(), base, previous = false } = {}) {
  try {
    git(["rev-parse", "--is-inside-work-tree"], cwd);
  } catch {
    throw new NoBaseError("this is not a git checkout, so there is no earlier spec to compare with.");
  }
  if (base) {
    try {
      return { commit: git(["rev-parse", "--verify", "--quiet", `${base}^{commit}`], cwd), label: base };
    } catch {
      throw new Error(`--base ${base} is not a commit, branch or tag in this repository (see \`git tag\`).`);
    }
  }
  if (!previous) {
    const tag = git(["tag", "--list", "v*", "--sort=-v:refname"], cwd).split("\n")[0];
    if (tag)
      return { commit: git(["rev-parse", `${tag}^{commit}`], cwd), label: `${tag} (the newest v* tag)` };
  }
  const changes = git(["log", "--format=%H", "-n", "2", "HEAD", "--", "openapi"], cwd)
    .split("\n")
    .filter(Boolean);
  const uncommitted = git(["status", "--porcelain", "--", "openapi"], cwd) !== "";
  const commit = uncommitted ? changes[0] : changes[1];
  const why = previous ? "" : "no v* tag; ";
  if (!commit) {
    const shallow = isShallow(cwd);
    const reason = shallow
      ? "the history fetched ends before any earlier change"
      : changes.length === 0
        ? "none has it"
        : "HEAD's history has only the commit that added it";
    throw new NoBaseError(
      `${why}no earlier commit changed openapi/ (${reason}), so there is no earlier spec to compare with.${shallow ? SHALLOW_HINT : ""}`,
    );
  }
  const short = git(["rev-parse", "--short", commit], cwd);
  return { commit, label: `${short} (${why}the previous commit that changed openapi/)` };
}

/** Runs Redocly's bundle on `root`/openapi/openapi.yaml, with telemetry off and no lint config, and parses it. */
async function bundle(root, scratch) {
  const config = join(scratch, "redocly.yaml");
  await writeFile(config, "telemetry: off\n");
  const out = join(scratch, `bundle-${Math.random().toString(36).slice(2)}.json`);
  await redocly(["bundle", join(root, ENTRY), "--config", config, "--ext", "json", "--output", out], root);
  return JSON.parse(await readFile(out, "utf8"));
}

/** The spec and the package.json version at `commit`, extracted with git archive into `scratch`. */
async function atCommit(commit, cwd, scratch) {
  const root = join(scratch, "base");
  await mkdir(root, { recursive: true });
  if (!git(["ls-tree", "--name-only", commit, "--", ENTRY], cwd))
    throw new NoBaseError(`the base has no ${ENTRY}, so there is no earlier spec to compare with.`);
  const archive = join(scratch, "base.tar");
  git(["archive", "--format=tar", "-o", archive, commit, "--", "openapi"], cwd);
  execFileSync("tar", ["-xf", archive, "-C", root]);
  let version = "0.0.0";
  try {
    version = JSON.parse(git(["show", `${commit}:package.json`], cwd)).version ?? version;
  } catch {
    // No package.json at the base: any major version is higher than none.
  }
  return { spec: await bundle(root, scratch), version };
}

/** Follows a local `$ref` ("#/components/...") to what it points at. */
function deref(doc, node) {
  let seen = 0;
  while (node && typeof node.$ref === "string" && node.$ref.startsWith("#/") && seen++ < 32)
    node = node.$ref
      .slice(2)
      .split("/")
      .reduce((at, key) => at?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  return node;
}

/**
 * The document as api-smart-diff compares it: each webhook operation becomes a path item whose one "response"
 * (status `delivery`) is the delivery body, with the delivery's header parameters as that response's headers.
 */
function forDiff(doc) {
  const copy = structuredClone(doc);
  // A response, parameter or request body reached through a $ref (components.responses.NotFound) is judged by the
  // library as a component, out of context: a removed field of a 404 body would pass as non-breaking. Inline them.
  for (const item of Object.values(copy.paths ?? {}))
    for (const operation of Object.values(item))
      if (typeof operation === "object" && operation?.responses) {
        for (const status of Object.keys(operation.responses))
          operation.responses[status] = structuredClone(deref(copy, operation.responses[status]));
        if (operation.parameters)
          operation.parameters = operation.parameters.map((p) => structuredClone(deref(copy, p)));
        if (operation.requestBody)
          operation.requestBody = structuredClone(deref(copy, operation.requestBody));
      }
  for (const [name, item] of Object.entries(copy.webhooks ?? {})) {
    const operations = {};
    for (const [method, operation] of Object.entries(deref(copy, item))) {
      if (typeof operation !== "object" || operation === null || !operation.responses) continue;
      const headers = {};
      for (const parameter of (operation.parameters ?? []).map((p) => deref(copy, p)))
        if (parameter?.in === "header")
          headers[parameter.name] = { required: parameter.required ?? false, schema: parameter.schema };
      const body = deref(copy, operation.requestBody);
      operations[method] = {
        operationId: operation.operationId,
        responses: { delivery: { description: "The delivery.", headers, content: body?.content ?? {} } },
      };
    }
    copy.paths = { ...copy.paths, [`webhook ${name}`]: operations };
  }
  delete copy.webhooks;
  return copy;
}

const types = (value) => {
  const set = new Set([value ?? []].flat());
  if (set.has("number")) set.add("integer");
  return set;
};

/** The classification this script stands by, where it differs from the library's. */
function reclassify(diff) {
  const [root, , , place] = diff.path;
  const key = diff.path.at(-1);
  // Inside `not` the sense flips; the library's own reading stands there.
  const inResponse = root === "paths" && place === "responses" && diff.path.includes("schema");
  if (inResponse && diff.action === "replace" && !diff.path.includes("not")) {
    if (key === "type") {
      const before = types(diff.before);
      const widened = [...types(diff.after)].some((type) => !before.has(type));
      return widened ? "breaking" : "non-breaking";
    }
    // Another constant, format or pattern is another set of values, not provably a subset of the old one.
    if (key === "const" || key === "format" || key === "pattern") return "breaking";
  }
  return diff.type;
}

/** Method, path, status and field of a difference, read off its JSON path in the compared document. */
function locate(diff, before, after) {
  const [root, path, method, place, ...rest] = diff.path;
  if (root !== "paths") return { method: "", path: diff.path.join("."), status: "", field: "" };
  const where = { method: method ? String(method).toUpperCase() : "", path, status: "", field: "" };
  let schemaPath = [];
  if (place === "responses") {
    where.status = rest[0] ?? "";
    if (rest[1] === "headers") where.field = `header ${rest[2]}`;
    if (rest[1] === "content" && rest[3] === "schema") schemaPath = rest.slice(4);
  } else if (place === "parameters") {
    const doc = diff.action === "add" ? after : before;
    const parameter = deref(doc, doc.paths?.[path]?.[method]?.parameters?.[rest[0]]);
    where.field = `${parameter?.in ?? "?"} parameter ${parameter?.name ?? rest[0]}`;
    if (rest[1] === "schema") where.field += ` ${fieldOf(rest.slice(2), diff)}`.trimEnd();
  } else if (place === "requestBody") {
    where.status = "request body";
    if (rest[0] === "content" && rest[2] === "schema") schemaPath = rest.slice(3);
  } else if (place !== undefined) {
    where.field = [place, ...rest].join(".");
  }
  if (schemaPath.length > 0) where.field = fieldOf(schemaPath, diff);
  return where;
}

/** `data.webhook_id`, `detail[].loc (type)` or `url (required)` from a path inside a schema. */
function fieldOf(segments, diff) {
  const names = [];
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i];
    if (segment === "properties" && i + 1 < segments.length) names.push(`.${segments[++i]}`);
    else if (segment === "items") names.push("[]");
    else if (COMBINERS.has(segment) && i + 1 < segments.length) i += 1;
    else if (segment === "required") {
      const name = diff.action === "add" ? diff.after : diff.before;
      if (typeof name === "string") names.push(`.${name}`);
      return `${names.join("").slice(1)} (required)`.trimStart();
    } else return `${names.join("").slice(1)} (${segments.slice(i).join(".")})`.trimStart();
  }
  return names.join("").slice(1) || "(body)";
}

const VERBS = { add: "added", remove: "removed", replace: "replaced", rename: "renamed" };
const shown = (value) => {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/**
 * What happened, with the values when they are short ("replaced: "integer" -> "string""). The library's own
 * sentences are not used: for a schema reached a second time it leaves them blank or names the wrong thing.
 */
function describe({ action, before, after }) {
  const simple = (value) =>
    value === null || typeof value !== "object" || (Array.isArray(value) && value.every((v) => simple(v)));
  if (action === "replace" && simple(before) && simple(after))
    return `replaced: ${shown(before)} -> ${shown(after)}`;
  const value = action === "add" ? after : before;
  return simple(value) ? `${VERBS[action]}: ${shown(value)}` : VERBS[action];
}

/**
 * Every difference between two bundled specs, classified, located and described, without repeats.
 * Exported so tests can compare documents in process.
 */
export function compareSpecs(before, after) {
  const left = forDiff(before);
  const right = forDiff(after);
  const changes = [];
  const seen = new Set();
  for (const diff of apiDiff(left, right)) {
    const [root, section, name] = diff.path;
    let type = reclassify(diff);
    let where;
    if (root === "components") {
      // A changed shared schema shows up again under each path that uses it; a removed one loses its type.
      if (!(section === "schemas" && diff.path.length === 3 && diff.action !== "add")) continue;
      type = "breaking";
      where = { method: "", path: `components.schemas.${name}`, status: "", field: "" };
    } else {
      where = locate(diff, left, right);
    }
    const description = root === "components" ? "removed, with its generated type" : describe(diff);
    const change = { type, action: diff.action, ...where, description };
    const id = JSON.stringify([type, where, description]);
    if (seen.has(id)) continue;
    seen.add(id);
    changes.push(change);
  }
  return changes;
}

const major = (version) => Number.parseInt(String(version).split(".")[0], 10) || 0;

function line(change) {
  const where = [change.method, change.path].filter(Boolean).join(" ");
  return `  ${where} | ${change.status || "-"} | ${change.field || "-"} | ${change.description}`;
}

/** The report and exit code of one run: `{ text, exitCode }`. */
export async function checkBreaking({ cwd = process.cwd(), base, previous = false } = {}) {
  let chosen;
  try {
    chosen = resolveBase({ cwd, base, previous });
  } catch (error) {
    if (!(error instanceof NoBaseError)) throw error;
    return { exitCode: 0, text: `check:breaking: NOT CHECKED: ${error.message}` };
  }
  const scratch = await mkdtemp(join(tmpdir(), "check-breaking-"));
  try {
    let baseSide;
    try {
      baseSide = await atCommit(chosen.commit, cwd, scratch);
    } catch (error) {
      if (!(error instanceof NoBaseError)) throw error;
      return { exitCode: 0, text: `check:breaking: NOT CHECKED against ${chosen.label}: ${error.message}` };
    }
    const head = await bundle(cwd, scratch);
    const headVersion = JSON.parse(await readFile(join(cwd, "package.json"), "utf8")).version ?? "0.0.0";
    const changes = compareSpecs(baseSide.spec, head);
    const out = [`check:breaking: openapi/ in the working tree against ${chosen.label}`];
    const groups = [
      ["breaking", "Breaking"],
      ["non-breaking", "Non-breaking"],
      ["deprecated", "Deprecations"],
      ["annotation", "Annotation"],
      ["unclassified", "Unclassified (review by hand)"],
    ];
    out.push("  columns: method path | status | field | change");
    for (const [type, title] of groups) {
      const listed = changes.filter((change) => change.type === type);
      if (listed.length > 0) out.push(`${title} changes (${listed.length}):`, ...listed.map(line));
    }
    const breaking = changes.filter((change) => change.type === "breaking").length;
    if (changes.length === 0) out.push("No differences.");
    if (breaking === 0) {
      out.push("OK: no breaking change.");
      return { exitCode: 0, text: out.join("\n") };
    }
    if (major(headVersion) > major(baseSide.version)) {
      out.push(
        `OK: ${breaking} breaking change(s), released as a new major version ` +
          `(package.json ${headVersion}, base ${baseSide.version}).`,
      );
      return { exitCode: 0, text: out.join("\n") };
    }
    out.push(
      `Refused: ${breaking} breaking change(s) above would break existing clients. Undo them, or release them ` +
        `as a new major version: set package.json's version to ${major(baseSide.version) + 1}.0.0 ` +
        `(now ${headVersion}; the base has ${baseSide.version}).`,
    );
    return { exitCode: 1, text: out.join("\n") };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options;
  try {
    options = parseArgs({ options: { base: { type: "string" }, previous: { type: "boolean" } } }).values;
  } catch (error) {
    console.error(`${error.message}\nusage: node scripts/check-breaking.mjs [--base <git ref> | --previous]`);
    process.exit(2);
  }
  try {
    const { text, exitCode } = await checkBreaking(options);
    (exitCode === 0 ? console.log : console.error)(text);
    process.exitCode = exitCode;
  } catch (error) {
    console.error(`check:breaking could not run: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 2;
  }
}
