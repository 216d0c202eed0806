// `known: true` exactly when the event matches the spec's schema for its type, with Ajv and the bundled spec as
// the independent judge: the verifier's hand-written rules (event.ts) against generated near-valid events.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/webhooks/index.js";
import { createAjv } from "../support/ajv.js";
import { bundleSpec } from "../support/spec.js";
import { holds } from "./support/property-runs.js";
import { SESSION_TYPES } from "./support/verify-suite.js";

const SECRET = "whsec_knownEventsTestSecret000000000000000000";
const TIMESTAMP = "1782982800";

const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, "0"));
/** Mostly RFC 3339 date-times, with the edges Ajv's format checks care about: days per month, leap years and
 * leap seconds, offsets in three spellings, separators and case. */
const dateTimeArb = fc.oneof(
  { arbitrary: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), weight: 6 },
  fc
    .tuple(
      fc.integer({ min: 1896, max: 2404 }).map(String),
      two(0, 13),
      two(0, 32),
      fc.constantFrom("T", "t", " ", "_"),
      two(0, 24),
      two(0, 60),
      two(0, 61),
      fc.constantFrom("", ".5", ".123456"),
      fc.oneof(
        fc.constantFrom("Z", "z", ""),
        fc
          .tuple(fc.constantFrom("+", "-"), two(0, 24), fc.constantFrom(":", ""), two(0, 60))
          .map((p) => p.join("")),
        fc.tuple(fc.constantFrom("+", "-"), two(0, 24)).map((p) => p.join("")),
      ),
    )
    .map(([y, mo, d, sep, h, mi, s, frac, tz]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${tz}`),
  fc.constantFrom(
    "2016-12-31T23:59:60Z",
    "2016-12-31T23:59:60.5Z",
    "2017-01-01T00:59:60+01:00",
    "2016-12-31T22:59:60-01:00",
  ),
  fc.string({ maxLength: 30 }),
);
const eventArb = fc.record(
  {
    type: fc.oneof({ arbitrary: fc.constantFrom(...SESSION_TYPES, "ping"), weight: 6 }, fc.string()),
    id: fc.string(),
    created_at: fc.oneof({ arbitrary: dateTimeArb, weight: 6 }, fc.integer()),
    data: fc.record(
      {
        session_id: fc.oneof({ arbitrary: fc.string(), weight: 6 }, fc.constant(null), fc.integer()),
        status: fc.oneof({ arbitrary: fc.string(), weight: 6 }, fc.constant(null)),
        previous_status: fc.oneof({ arbitrary: fc.string(), weight: 3 }, fc.constant(null), fc.boolean()),
        webhook_id: fc.oneof(
          fc.uuid(),
          fc.uuid().map((id) => id.toUpperCase()),
          fc.uuid().map((id) => `urn:uuid:${id}`),
          fc.string(),
        ),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ["session_id", "status", "webhook_id"] },
    ),
    extra: fc.jsonValue(),
  },
  { requiredKeys: ["type", "id", "data"] },
);

describe("known", () => {
  let matchesSpec: (event: { type: string }) => boolean;

  beforeAll(() => {
    const schemas = (bundleSpec().components as { schemas: Record<string, object> }).schemas;
    const ajv = createAjv();
    const session = ajv.compile(schemas.SessionEvent!);
    const ping = ajv.compile(schemas.PingEvent!);
    matchesSpec = (event) =>
      (SESSION_TYPES.includes(event.type) && session(event)) || (event.type === "ping" && ping(event));
  }, 30_000);

  it("is true exactly when Ajv validates the event against the bundled spec's schema for its type", () => {
    let knownCount = 0;
    holds(
      fc.property(eventArb, (event) => {
        const body = JSON.stringify(event);
        const signature = `sha256=${createHmac("sha256", SECRET).update(`${TIMESTAMP}.${body}`).digest("hex")}`;
        const result = verifyWebhook(body, signature, TIMESTAMP, SECRET, {
          now: () => Number(TIMESTAMP) * 1000,
        });
        if (result.known) knownCount += 1;
        expect(result.known).toBe(matchesSpec(JSON.parse(body)));
      }),
      600,
    );
    // Both outcomes must occur, or the property proves nothing.
    expect(knownCount).toBeGreaterThan(20);
    expect(knownCount).toBeLessThan(580);
  });
});
