// Lint rules of our own that Redocly's configurable `rule/...` assertions cannot express (loaded by redocly.yaml).
//
// contract/only-rotate-returns-the-secret: the signing secret is shown once, by rotate (and by create, were it
// added). Any other operation whose response schema has a `secret` property, at any depth and through any $ref,
// leaks it. A configurable rule cannot prove this: Redocly walks each referenced schema once, in the context of the
// first operation that reaches it, so a second operation reusing `WebhookWithSecret` would go unseen. This rule
// follows every response schema of every operation itself.

/** Operations allowed to return the secret. */
const RETURNS_SECRET = new Set(["rotateWebhookSecret", "createWebhook"]);

/** Schema keywords that hold subschemas (a single schema, a list of them, or a map of them). */
const ONE = [
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "unevaluatedProperties",
];
const MANY = ["allOf", "anyOf", "oneOf", "prefixItems"];
const MAP = ["properties", "patternProperties", "$defs"];

function onlyRotateReturnsTheSecret() {
  return {
    Operation: {
      enter(operation, ctx) {
        if (RETURNS_SECRET.has(operation.operationId)) return;
        const name = operation.operationId ?? "this operation";
        const seen = new Set();
        const visit = (node, location) => {
          const resolved = ctx.resolve(node, location.source.absoluteRef);
          if (!resolved.node || typeof resolved.node !== "object" || seen.has(resolved.node)) return;
          const here = node && typeof node === "object" && "$ref" in node ? resolved.location : location;
          const schema = resolved.node;
          seen.add(schema);
          if (schema.properties && typeof schema.properties === "object" && "secret" in schema.properties) {
            ctx.report({
              message:
                `${name} returns a schema with a \`secret\` property; only rotateWebhookSecret (and createWebhook) ` +
                "may return the signing secret. Use the Webhook schema, which has none.",
              location: here.child(["properties", "secret"]).key(),
            });
          }
          for (const key of ONE) if (key in schema) visit(schema[key], here.child([key]));
          for (const key of MANY)
            if (Array.isArray(schema[key]))
              for (const [i, s] of schema[key].entries()) visit(s, here.child([key, i]));
          for (const key of MAP)
            if (schema[key] && typeof schema[key] === "object")
              for (const [k, s] of Object.entries(schema[key])) visit(s, here.child([key, k]));
        };
        const responses = ctx.resolve(operation.responses);
        for (const [status, ref] of Object.entries(responses.node ?? {})) {
          const response = ctx.resolve(ref, ctx.location.source.absoluteRef);
          const responseLocation =
            "$ref" in ref ? response.location : ctx.location.child(["responses", status]);
          for (const [type, media] of Object.entries(response.node?.content ?? {}))
            if (media?.schema) visit(media.schema, responseLocation.child(["content", type, "schema"]));
        }
      },
    },
  };
}

export default function contractRules() {
  return {
    id: "contract",
    rules: { oas3: { "only-rotate-returns-the-secret": onlyRotateReturnsTheSecret } },
  };
}
