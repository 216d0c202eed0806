import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HaiAgentsEnvironment, WEBHOOK_ID_PATTERN } from "../../src/index.js";
import { createAjv, formatErrors } from "../support/ajv.js";
import { bundleSpec, type Json, ROOT } from "../support/spec.js";

type MediaType = { schema: Json; examples?: Record<string, { value: unknown }> };

let spec: Json;
const ajv = createAjv();
/** The API's operations in the order of a rotation, with the statuses each documents (CONTRACTS.md). */
const OPERATIONS = [
  {
    id: "getWebhook",
    method: "get",
    path: "/api/v2/webhooks/{webhook_id}",
    statuses: ["200", "401", "404", "422"],
  },
  {
    id: "rotateWebhookSecret",
    method: "post",
    path: "/api/v2/webhooks/{webhook_id}/rotate",
    statuses: ["200", "401", "404", "422"],
  },
  {
    id: "pingWebhook",
    method: "post",
    path: "/api/v2/webhooks/{webhook_id}/ping",
    statuses: ["200", "400", "401", "404", "422", "502"],
  },
] as const;

const operation = (id: (typeof OPERATIONS)[number]["id"]) => {
  const { path, method } = OPERATIONS.find((o) => o.id === id)!;
  return ((spec.paths as Json)[path] as Json)[method] as Json;
};
const rotate = () => ({ post: operation("rotateWebhookSecret") });
const delivery = () => (spec.webhooks as Json).webhookDelivery as { post: Json };

function mediaTypes(): Array<[string, MediaType]> {
  const found: Array<[string, MediaType]> = [];
  for (const { id } of OPERATIONS) {
    for (const [status, response] of Object.entries(
      operation(id).responses as Record<string, { content?: Json }>,
    )) {
      for (const [type, media] of Object.entries(response.content ?? {}))
        found.push([`${id} ${status} ${type}`, media as MediaType]);
    }
  }
  const body = delivery().post.requestBody as { content: Json };
  for (const [type, media] of Object.entries(body.content))
    found.push([`delivery body ${type}`, media as MediaType]);
  return found;
}

function check(schema: Json, value: unknown): string {
  const validate = ajv.compile(schema);
  return validate(value) ? "" : formatErrors(validate.errors);
}

// Bundling runs Redocly: about a second alone, much longer on a loaded machine.
beforeAll(() => {
  spec = bundleSpec();
}, 60_000);

describe("the spec's examples", () => {
  it("every named example validates against its schema", () => {
    const failures: string[] = [];
    let count = 0;
    for (const [where, media] of mediaTypes()) {
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        count += 1;
        const problems = check(media.schema, example.value);
        if (problems) failures.push(`${where} example "${name}":\n${problems}`);
      }
    }
    expect(failures).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(17);
  });

  it("every documented status of every operation has at least one named example", () => {
    const missing = OPERATIONS.flatMap(({ id, statuses }) =>
      statuses
        .filter((status) => {
          const media = mediaTypes().find(([where]) => where === `${id} ${status} application/json`)?.[1];
          return Object.keys(media?.examples ?? {}).length === 0;
        })
        .map((status) => `${id} ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it("the validator catches a broken example: each single change to the seed response is reported with its pointer", () => {
    const media = mediaTypes().find(([where]) => where === "rotateWebhookSecret 200 application/json")?.[1];
    const seed = media?.examples?.rotated?.value as Json;
    expect(check(media!.schema, seed)).toBe("");
    const { secret: _gone, ...withoutSecret } = seed;
    expect(check(media!.schema, withoutSecret)).toMatch(/must have required property 'secret'/);
    expect(check(media!.schema, { ...seed, disabled: "no" })).toMatch(/^\/disabled must be boolean/m);
    expect(check(media!.schema, { ...seed, secret: "whsec_" })).toMatch(/^\/secret must match pattern/m);
    expect(check(media!.schema, { ...seed, id: "123" })).toMatch(/^\/id must match format "uuid"/m);
    expect(check(media!.schema, { ...seed, description: undefined })).toMatch(
      /required property 'description'/,
    );
  });

  it("the documented delivery signature is the real HMAC of the documented example delivery", () => {
    const params = delivery().post.parameters as Array<{ name: string; example: string; schema: Json }>;
    const timestamp = params.find((p) => p.name === "X-H-Webhook-Timestamp")!;
    const signature = params.find((p) => p.name === "X-H-Webhook-Signature")!;
    const example = (delivery().post.requestBody as { content: Record<string, MediaType> }).content[
      "application/json"
    ]!.examples!.sessionCompleted!.value;
    const secret = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";
    const expected = createHmac("sha256", secret)
      .update(`${timestamp.example}.${JSON.stringify(example)}`)
      .digest("hex");
    expect(signature.example).toBe(`sha256=${expected}`);
    expect(check(signature.schema, signature.example)).toBe("");
    expect(check(timestamp.schema, timestamp.example)).toBe("");
  });
});

describe("the delivery body is an open union whose known types bind", () => {
  const body = () =>
    (delivery().post.requestBody as { content: Record<string, MediaType> }).content["application/json"]!;
  const schemas = () => (spec.components as { schemas: Record<string, Json> }).schemas;
  const sessionCompleted = () => body().examples!.sessionCompleted!.value as Json;

  // Each case changes the documented session.completed delivery in one way.
  type Change = (event: Json) => unknown;
  const cases = (list: Array<[string, Change]>) => list;

  type Fixture = { case: string; body: unknown; error?: string };
  const fixtures = (name: string) =>
    JSON.parse(readFileSync(join(ROOT, "test/fixtures/deliveries", name), "utf8")) as Fixture[];

  it.each(fixtures("accepted.json"))("accepts $case", ({ body: event }) => {
    expect(check(body().schema, event)).toBe("");
  });

  // A known type binds: a malformed ping or session event is refused, not let through as a bare envelope.
  it.each(fixtures("refused.json"))("refuses $case", ({ body: event, error }) => {
    expect(check(body().schema, event).split("\n")).toContain(error);
  });

  it.each(
    cases([
      ["null", () => null],
      ["a JSON string", () => "session.completed"],
      ["an array", (e) => [e]],
      ["an empty object", () => ({})],
      ["no type", ({ type: _gone, ...rest }) => rest],
      ["a numeric type", (e) => ({ ...e, type: 7 })],
      ["no id", ({ id: _gone, ...rest }) => rest],
      ["null data", (e) => ({ ...e, data: null })],
      ["array data", (e) => ({ ...e, data: [] })],
      ["a created_at that is not a date-time", (e) => ({ ...e, created_at: "yesterday" })],
    ]),
  )("refuses junk: %s", (_case, change) => {
    expect(check(body().schema, change(sessionCompleted()))).not.toBe("");
  });

  it("tells known events from the fallback: KnownWebhookEvent takes the listed types, not a new one", () => {
    const known = schemas().KnownWebhookEvent!;
    expect(check(known, sessionCompleted())).toBe("");
    expect(check(known, body().examples!.ping!.value)).toBe("");
    expect(check(known, { ...sessionCompleted(), attempt: 2 })).toBe("");
    expect(check(known, body().examples!.unknownType!.value)).not.toBe("");
    expect(check(known, { ...sessionCompleted(), type: "ping" })).not.toBe("");
  });

  it("lists the known session event types; a new one is valid through the fallback, not as a known event", () => {
    expect(schemas().SessionEventType!.enum).toContain("session.completed");
    const paused = { ...sessionCompleted(), type: "session.paused" };
    expect(check(schemas().KnownWebhookEvent!, paused)).not.toBe("");
    expect(check(schemas().WebhookEventEnvelope!, paused)).toBe("");
    expect(check(body().schema, paused)).toBe("");
  });
});

describe("code that must agree with the spec", () => {
  it("the client's regions are the spec's servers, Europe first", () => {
    const servers = (spec.servers as Array<{ url: string }>).map((server) => server.url);
    expect(servers).toEqual([HaiAgentsEnvironment.Eu, HaiAgentsEnvironment.Us]);
  });

  it("the client's webhook-id check uses the spec's pattern", () => {
    const parameter = (rotate().post.parameters as Array<{ name: string; schema: { pattern: string } }>)[0]!;
    expect(parameter.name).toBe("webhook_id");
    expect(WEBHOOK_ID_PATTERN.source).toBe(parameter.schema.pattern);
  });

  it("the paths are exactly get, rotate and ping, in the order of a rotation", () => {
    const listed = Object.entries(spec.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => key !== "parameters")
        .map((method) => `${method} ${path} ${(item[method] as Json).operationId}`),
    );
    expect(listed).toEqual(OPERATIONS.map(({ id, method, path }) => `${method} ${path} ${id}`));
  });

  it.each(OPERATIONS)(
    "$id documents exactly its statuses, requires bearer auth and takes the webhook id",
    (op) => {
      const found = operation(op.id);
      expect(Object.keys(found.responses as Json).sort()).toEqual([...op.statuses]);
      expect(found.security).toEqual([{ bearerAuth: [] }]);
      expect((found.parameters as Array<{ name: string }>).map((p) => p.name)).toEqual(["webhook_id"]);
      expect(found.requestBody).toBeUndefined();
    },
  );

  it("get and ping never show a secret: their 200 schemas have no secret property and reject none of their examples", () => {
    const getSchema = (
      operation("getWebhook").responses as Record<string, { content: Record<string, MediaType> }>
    )["200"]!.content["application/json"]!.schema;
    expect(Object.keys(getSchema.properties as Json)).not.toContain("secret");
    expect(Object.keys(getSchema.properties as Json)).toEqual(
      expect.arrayContaining([
        "last_delivery_status",
        "last_delivery_error",
        "last_delivery_at",
        "last_success_at",
      ]),
    );
    expect(JSON.stringify(operation("pingWebhook").responses)).not.toMatch(/"secret"/);
  });
});
