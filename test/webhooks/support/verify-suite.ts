// One suite for both verifiers, run in Node (test/webhooks/properties.test.ts) and in Chromium
// (test/webhooks/browser.test.ts): the known-answer vectors, then properties checked with fast-check, then
// hostile input in every argument position. Plain web APIs only (no Buffer, no node:*), so it bundles for a page.
import fc from "fast-check";
import type { VerifiedWebhook } from "../../../src/webhooks/web.js";
import knownAnswers from "../vectors/known-answers.json" with { type: "json" };

type Verify = (
  body: unknown,
  signature: unknown,
  timestamp: unknown,
  secrets: unknown,
  options?: unknown,
) => VerifiedWebhook | Promise<VerifiedWebhook>;

export interface SuiteTarget {
  verify: Verify;
  /** An independent signer: `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.` + body). */
  sign: (body: string | Uint8Array, timestamp: string, secret: string) => Promise<string>;
  reasons: readonly string[];
  isVerificationError: (value: unknown) => boolean;
}

export interface CheckResult {
  name: string;
  cases: number;
  /** Why it failed, with fast-check's counterexample and the seed to replay; absent when it held. */
  failure?: string;
}

/** One known-answer vector of test/webhooks/vectors/known-answers.json. */
export interface Vector {
  name: string;
  body?: string;
  body_base64?: string;
  timestamp: string;
  signature: string;
  secrets: string[];
  now: number;
  signed_with?: string;
  expect: { ok: true; secretIndex: number; type: string; known: boolean } | { ok: false; reason: string };
}

// The event types the spec lists, written out here rather than imported, so a drift shows up.
export const SESSION_TYPES = [
  "session.awaiting_tool_results",
  "session.completed",
  "session.failed",
  "session.idle",
  "session.status_updated",
  "session.timed_out",
];
const encoder = new TextEncoder();
const bytesOfVector = (v: Vector): Uint8Array =>
  v.body_base64 === undefined
    ? encoder.encode(v.body ?? "")
    : Uint8Array.from(atob(v.body_base64), (char) => char.charCodeAt(0));
const textOf = (body: string | Uint8Array) =>
  typeof body === "string" ? body : new TextDecoder().decode(body);

/** The outcome of a call as one comparable value: "verified" or the reason, or a description of a wrong throw. */
async function outcome(target: SuiteTarget, call: () => unknown): Promise<string> {
  try {
    await call();
    return "verified";
  } catch (error) {
    if (!target.isVerificationError(error))
      return `untyped ${Object.prototype.toString.call(error)}: ${String(error)}`;
    const reason = (error as { reason: string }).reason;
    return target.reasons.includes(reason) ? reason : `unknown reason ${reason}`;
  }
}

// Secrets the verifier accepts: well-formed Unicode without control characters.
const usable = (text: string) => !/\p{Cs}/u.test(text) && !/[\u0000-\u001f\u007f]/.test(text);
const secretArb = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).filter(usable),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }).filter(usable),
  fc.base64String({ minLength: 4, maxLength: 64 }).map((key) => `whsec_${key}`),
);
const secretListArb = fc.uniqueArray(secretArb, { minLength: 1, maxLength: 4 });
const dateTimeArb = fc
  .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString());
const eventArb = fc.oneof(
  fc.record({
    type: fc.constantFrom(...SESSION_TYPES),
    id: fc.string(),
    created_at: fc.oneof(dateTimeArb, fc.string()),
    data: fc.record({
      session_id: fc.string(),
      status: fc.oneof(fc.string(), fc.constant(null)),
      previous_status: fc.option(fc.string(), { nil: null }),
    }),
  }),
  fc.record({
    type: fc.constant("ping"),
    id: fc.string(),
    created_at: dateTimeArb,
    data: fc.record({ webhook_id: fc.oneof(fc.uuid(), fc.string()) }),
  }),
  fc.record(
    {
      type: fc.string(),
      id: fc.string(),
      created_at: fc.jsonValue(),
      data: fc.dictionary(fc.string(), fc.jsonValue()),
    },
    { requiredKeys: ["type", "id", "data"] },
  ),
);
/** An event serialised the way some sender might: compact or indented, with any Unicode. */
const eventBodyArb = fc
  .tuple(eventArb, fc.constantFrom(undefined, 0, 2, "\t"))
  .map(([event, indent]) => JSON.stringify(event, null, indent));
const anyBodyArb = fc.oneof(eventBodyArb, fc.string({ unit: "grapheme" }), fc.uint8Array({ maxLength: 300 }));
/** A signing time and a receiver clock within the 300 s window of it, in milliseconds. */
const timingArb = fc
  .tuple(
    fc.integer({ min: 0, max: 2 ** 40 }),
    fc.integer({ min: -300, max: 300 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([seconds, skew, ms]) => ({ timestamp: String(seconds), now: () => (seconds + skew) * 1000 + ms }));

/** Values no caller should pass, each made fresh: the inputs that used to escape as untyped errors. */
export const HOSTILE: Record<string, () => unknown> = {
  "detached ArrayBuffer": () => {
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] });
    return buffer;
  },
  "Uint8Array over a detached buffer": () => {
    const view = new Uint8Array(8);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    return view;
  },
  "resizable ArrayBuffer": () =>
    new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(4, { maxByteLength: 64 }),
  "Uint8Array tracking a resizable buffer": () =>
    new Uint8Array(
      new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(4, { maxByteLength: 64 }),
    ),
  SharedArrayBuffer: () =>
    typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(8) : new ArrayBuffer(8),
  "Uint8Array over a SharedArrayBuffer": () =>
    new Uint8Array(typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(8) : new ArrayBuffer(8)),
  "Proxy whose every trap throws": () =>
    new Proxy(
      {},
      {
        get: () => {
          throw new RangeError("trap");
        },
        has: () => {
          throw new RangeError("trap");
        },
        ownKeys: () => {
          throw new RangeError("trap");
        },
        getOwnPropertyDescriptor: () => {
          throw new RangeError("trap");
        },
        getPrototypeOf: () => {
          throw new RangeError("trap");
        },
      },
    ),
  "revoked Proxy": () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  },
  "revoked Proxy of an array": () => {
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    return proxy;
  },
  "Proxy of a Uint8Array": () => new Proxy(new Uint8Array(4), {}),
  "object with throwing getters": () =>
    Object.defineProperties(
      {},
      Object.fromEntries(
        ["toleranceSeconds", "toleranceS", "now", "secret", "notAfter", "get", "x-h-webhook-signature"].map(
          (key) => [
            key,
            {
              enumerable: true,
              get: () => {
                throw new Error("getter");
              },
            },
          ],
        ),
      ),
    ),
  "object whose toString and valueOf throw": () => ({
    toString: () => {
      throw new Error("toString");
    },
    valueOf: () => {
      throw new Error("valueOf");
    },
    [Symbol.toPrimitive]: () => {
      throw new Error("toPrimitive");
    },
  }),
  "array whose length getter throws": () =>
    new Proxy([], {
      get: (target, key) => {
        if (key === "length") throw new Error("length");
        return Reflect.get(target, key);
      },
    }),
  "array claiming 2^32 - 1 entries": () =>
    new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : Reflect.get(t, k)) }),
  "array whose entries change on every read": () => {
    let reads = 0;
    return new Proxy(["whsec_a", "whsec_b"], {
      get: (target, key) => (key === "0" ? (reads++ % 2 === 0 ? "whsec_a" : 42) : Reflect.get(target, key)),
    });
  },
  "function that throws": () => () => {
    throw new Error("clock");
  },
  "function that throws a non-Error": () => () => {
    throw Symbol("thrown");
  },
  symbol: () => Symbol("s"),
  bigint: () => 10n,
  "Date object": () => new Date(0),
  "null-prototype object": () => Object.create(null),
};
// Names rather than the values: fast-check inspects what it generates, which a revoked Proxy does not survive.
const hostileArb = fc
  .constantFrom(...Object.keys(HOSTILE))
  .map((name) => ({ name, value: undefined as unknown }));
/** Any value fast-check can make, exotic kinds included: for "every argument position" properties. */
export const junkArb = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withObjectString: true,
  withSet: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

/** Runs everything; `scale` multiplies the case counts (1 in Node's CI run). */
export async function runVerifySuite(
  target: SuiteTarget,
  { seed, scale = 1 }: { seed: number; scale?: number },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const { verify, sign } = target;

  // Known-answer vectors, each body as text (when it is UTF-8) and as bytes.
  for (const v of (knownAnswers as { vectors: Vector[] }).vectors) {
    for (const body of v.body === undefined ? [bytesOfVector(v)] : [v.body, bytesOfVector(v)]) {
      const name = `vector: ${v.name} (body as ${typeof body === "string" ? "string" : "bytes"})`;
      let failure: string | undefined;
      try {
        const result = await verify(body, v.signature, v.timestamp, v.secrets, { now: () => v.now * 1000 });
        const got = {
          ok: true,
          secretIndex: result.secretIndex,
          type: result.event.type,
          known: result.known,
        };
        if (JSON.stringify(got) !== JSON.stringify(v.expect)) failure = `got ${JSON.stringify(got)}`;
        else if (JSON.stringify(result.event) !== JSON.stringify(JSON.parse(textOf(bytesOfVector(v)))))
          failure = "the event differs from the body";
      } catch (error) {
        const reason = target.isVerificationError(error)
          ? (error as { reason: string }).reason
          : String(error);
        if (v.expect.ok || v.expect.reason !== reason) failure = `threw ${reason}`;
      }
      results.push({
        name,
        cases: 1,
        ...(failure === undefined ? {} : { failure: `${failure}, expected ${JSON.stringify(v.expect)}` }),
      });
    }
  }

  const check = async <T extends unknown[]>(
    name: string,
    runs: number,
    arbitraries: { [K in keyof T]: fc.Arbitrary<T[K]> },
    predicate: (...args: T) => Promise<void>,
  ) => {
    const numRuns = Math.max(1, Math.round(runs * scale));
    const property = (fc.asyncProperty as unknown as (...args: unknown[]) => fc.IAsyncProperty<T>)(
      ...arbitraries,
      predicate,
    );
    const details = await fc.check(property, { numRuns, seed });
    results.push({
      name,
      cases: details.numRuns,
      ...(details.failed
        ? { failure: `${fc.defaultReportMessage(details) ?? "failed"}\nReplay with FC_SEED=${seed}.` }
        : {}),
    });
  };
  const expectEqual = (actual: unknown, expected: unknown, what: string) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      throw new Error(`${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };

  await check(
    "a delivery signed with any secret of the list verifies and reports that secret's index",
    150,
    [secretListArb, fc.nat(), eventBodyArb, timingArb, fc.boolean()],
    async (secrets, pick, body, timing, asBytes) => {
      const index = pick % secrets.length;
      const signature = await sign(body, timing.timestamp, secrets[index]!);
      const result = await verify(
        asBytes ? encoder.encode(body) : body,
        signature,
        timing.timestamp,
        secrets,
        {
          now: timing.now,
        },
      );
      expectEqual(
        [result.secretIndex, result.timestamp],
        [index, Number(timing.timestamp)],
        "index, timestamp",
      );
      expectEqual(result.event, JSON.parse(body), "event");
      if (result.known && !["ping", ...SESSION_TYPES].includes(result.event.type))
        throw new Error("known type");
    },
  );

  await check(
    "any signed bytes pass the signature check: the event comes back, or invalid_payload names the same secret",
    150,
    [secretListArb, fc.nat(), anyBodyArb, timingArb],
    async (secrets, pick, body, timing) => {
      const index = pick % secrets.length;
      const signature = await sign(body, timing.timestamp, secrets[index]!);
      try {
        const result = await verify(body, signature, timing.timestamp, secrets, { now: timing.now });
        expectEqual(result.secretIndex, index, "secretIndex");
      } catch (error) {
        const { reason, secretIndex } = error as { reason: string; secretIndex: number };
        expectEqual({ reason, secretIndex }, { reason: "invalid_payload", secretIndex: index }, "error");
      }
    },
  );

  // Bodies past the sizes the other properties draw: the sync path hashes bodies that may not fit its 64 KiB
  // message buffer another way, so sizes on both sides of that line, in 1- to 4-byte UTF-8 characters.
  await check(
    "a large body (16 to 110 thousand characters) verifies as text and as bytes; one changed byte fails",
    8,
    [secretArb, fc.integer({ min: 16_000, max: 110_000 }), fc.constantFrom("a", "é", "€", "😀"), timingArb],
    async (secret, length, char, timing) => {
      const notes = char.repeat(Math.ceil(length / char.length)).slice(0, length);
      const body = JSON.stringify({ type: "ping", id: "evt_large", data: { notes } });
      const signature = await sign(body, timing.timestamp, secret);
      const bytes = encoder.encode(body);
      for (const sent of [body, bytes]) {
        const result = await verify(sent, signature, timing.timestamp, secret, { now: timing.now });
        expectEqual(result.event.id, "evt_large", "event id");
      }
      const changed = Uint8Array.from(bytes);
      changed[changed.length - 3]! ^= 1;
      expectEqual(
        await outcome(target, () =>
          verify(changed, signature, timing.timestamp, secret, { now: timing.now }),
        ),
        "signature_mismatch",
        "outcome",
      );
    },
  );

  await check(
    "flipping any bits of any body byte fails with signature_mismatch",
    150,
    [
      secretArb,
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.nat(),
      fc.integer({ min: 1, max: 255 }),
      timingArb,
    ],
    async (secret, body, at, mask, timing) => {
      const signature = await sign(body, timing.timestamp, secret);
      const changed = Uint8Array.from(body);
      changed[at % changed.length]! ^= mask;
      const got = await outcome(target, () =>
        verify(changed, signature, timing.timestamp, secret, { now: timing.now }),
      );
      expectEqual(got, "signature_mismatch", "outcome");
    },
  );

  await check(
    "changing any character of the timestamp fails: signature_mismatch if still digits, else invalid_timestamp",
    150,
    [
      secretArb,
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.nat(),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ],
    async (secret, seconds, at, char) => {
      const timestamp = String(seconds);
      const position = at % timestamp.length;
      if (char === timestamp[position]) return;
      const changed = timestamp.slice(0, position) + char + timestamp.slice(position + 1);
      const body = '{"type":"ping","id":"evt","data":{}}';
      const signature = await sign(body, timestamp, secret);
      // A window wide enough for any 13-digit timestamp, so only the signature can reject a digit change.
      const options = { toleranceSeconds: 1e13, now: () => seconds * 1000 };
      const expected = /^[0-9]+$/.test(changed) ? "signature_mismatch" : "invalid_timestamp";
      expectEqual(
        await outcome(target, () => verify(body, signature, changed, secret, options)),
        expected,
        "outcome",
      );
    },
  );

  await check(
    "flipping any bit of the signature's digest fails with signature_mismatch",
    150,
    [secretArb, eventBodyArb, timingArb, fc.integer({ min: 0, max: 255 })],
    async (secret, body, timing, bit) => {
      const hex = (await sign(body, timing.timestamp, secret)).slice(7);
      const nibble = bit >> 2;
      const flipped = (Number.parseInt(hex[nibble]!, 16) ^ (1 << (bit & 3))).toString(16);
      const forged = `sha256=${hex.slice(0, nibble)}${flipped}${hex.slice(nibble + 1)}`;
      const got = await outcome(target, () =>
        verify(body, forged, timing.timestamp, secret, { now: timing.now }),
      );
      expectEqual(got, "signature_mismatch", "outcome");
    },
  );

  await check(
    "a secret that is not in the list never verifies, near misses included",
    150,
    [
      secretArb.chain((secret) =>
        fc.tuple(
          fc.constant(secret),
          fc.array(
            fc.oneof(
              secretArb,
              fc.constant(`${secret} `),
              fc.constant([...secret].slice(0, -1).join("") || "x"),
              fc.constant(`whsec_${secret}`),
              fc.constant(secret.toUpperCase()),
            ),
            { minLength: 1, maxLength: 4 },
          ),
        ),
      ),
      eventBodyArb,
      timingArb,
    ],
    async ([signer, candidates], body, timing) => {
      const trusted = candidates.filter((candidate) => candidate !== signer);
      if (trusted.length === 0) return;
      const signature = await sign(body, timing.timestamp, signer);
      const got = await outcome(target, () =>
        verify(body, signature, timing.timestamp, trusted, { now: timing.now }),
      );
      expectEqual(got, "signature_mismatch", "outcome");
    },
  );

  await check(
    "a secret past its notAfter verifies nothing: secret_expired naming it, unless a secret in force matches",
    150,
    [
      secretListArb,
      fc.nat(),
      eventBodyArb,
      timingArb,
      fc.integer({ min: -10_000_000, max: 10_000_000 }),
      fc.boolean(),
    ],
    async (secrets, pick, body, timing, offsetMs, asDate) => {
      const index = pick % secrets.length;
      const now = timing.now();
      const notAfter = now + offsetMs;
      const list = secrets.map((secret, i) =>
        i === index ? { secret, notAfter: asDate ? new Date(notAfter) : notAfter } : secret,
      );
      const signature = await sign(body, timing.timestamp, secrets[index]!);
      const got = await outcome(target, () =>
        verify(body, signature, timing.timestamp, list, { now: timing.now }),
      );
      const inForce = offsetMs >= 0;
      if (inForce) {
        if (got !== "verified" && got !== "invalid_payload") throw new Error(`in force, got ${got}`);
      } else expectEqual(got, "secret_expired", "outcome");
    },
  );

  await check(
    'the same signature and timestamp repeated (joined with ", ") verify as one value; different values do not',
    100,
    [secretArb, eventBodyArb, timingArb, fc.boolean()],
    async (secret, body, timing, same) => {
      const signature = await sign(body, timing.timestamp, secret);
      const other = same ? signature : `sha256=${"0".repeat(64)}`;
      const got = await outcome(target, () =>
        verify(body, `${signature}, ${other}`, `${timing.timestamp}, ${timing.timestamp}`, secret, {
          now: timing.now,
        }),
      );
      expectEqual(got, same ? "verified" : "duplicate_header", "outcome");
    },
  );

  // Hostile and junk values in every argument position, the other arguments valid: only typed errors come out.
  const valid = {
    body: '{"type":"ping","id":"evt_h","created_at":"2026-07-02T09:05:00Z","data":{"webhook_id":"w"}}',
    timestamp: "1782983100",
    secret: "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c",
  };
  const validSignature = await sign(valid.body, valid.timestamp, valid.secret);
  const now = () => Number(valid.timestamp) * 1000;
  const positions: Record<string, (value: unknown) => [unknown, unknown, unknown, unknown, unknown]> = {
    body: (v) => [v, validSignature, valid.timestamp, valid.secret, { now }],
    signature: (v) => [valid.body, v, valid.timestamp, valid.secret, { now }],
    timestamp: (v) => [valid.body, validSignature, v, valid.secret, { now }],
    secrets: (v) => [valid.body, validSignature, valid.timestamp, v, { now }],
    "an entry of the secrets": (v) => [
      valid.body,
      validSignature,
      valid.timestamp,
      [valid.secret, v],
      { now },
    ],
    "an expiring secret": (v) => [
      valid.body,
      validSignature,
      valid.timestamp,
      [{ secret: v, notAfter: v }],
      { now },
    ],
    options: (v) => [valid.body, validSignature, valid.timestamp, valid.secret, v],
    "the now option": (v) => [valid.body, validSignature, valid.timestamp, valid.secret, { now: v }],
    "what now() returns": (v) => [
      valid.body,
      validSignature,
      valid.timestamp,
      valid.secret,
      { now: () => v },
    ],
    "the tolerance": (v) => [
      valid.body,
      validSignature,
      valid.timestamp,
      valid.secret,
      { now, toleranceSeconds: v },
    ],
  };
  await check(
    "hostile or arbitrary values in any argument position only ever produce a typed error with a known reason",
    400,
    [
      fc.constantFrom(...Object.keys(positions)),
      fc.oneof(
        hostileArb,
        junkArb.map((value) => ({ name: "junk", value })),
      ),
    ],
    async (position, { name, value }) => {
      const args = positions[position]!(name === "junk" ? value : HOSTILE[name]!());
      const got = await outcome(target, () => verify(...args));
      if (got.startsWith("untyped") || got.startsWith("unknown")) throw new Error(`${position}: ${got}`);
    },
  );
  return results;
}
