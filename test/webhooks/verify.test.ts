// verifyWebhook scenarios: start from the spec's valid delivery, change one thing, assert the exact outcome.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorReason,
} from "../../src/webhooks/index.js";
import {
  clockAt,
  OTHER_SECRET,
  SPEC_BODY,
  SPEC_SECRET,
  SPEC_SIGNATURE,
  SPEC_TIMESTAMP,
  thrown,
} from "./support/fixtures.js";

const at = (offsetSeconds = 0): VerifyWebhookOptions => ({ now: clockAt(offsetSeconds) });

/** Asserts the call throws a WebhookVerificationError with `reason`, and that its message reveals no secret. */
function refuses(
  call: () => unknown,
  reason: WebhookVerificationErrorReason,
  secrets: string[] = [SPEC_SECRET, OTHER_SECRET],
): string {
  const error = thrown(call);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  const { reason: actual, message } = error as WebhookVerificationError;
  expect({ reason: actual, message }).toMatchObject({ reason });
  for (const secret of secrets.filter((s) => s.trim().length >= 8)) {
    expect(message).not.toContain(secret.trim());
    expect(message).not.toContain(secret.trim().replace(/^whsec_/, ""));
    // Nor the signature the secret would have produced: that is an oracle for forging this very delivery.
    expect(message).not.toContain(signWebhook(SPEC_BODY, SPEC_TIMESTAMP, secret).slice(7, 23));
  }
  return message;
}

describe("verifyWebhook accepts", () => {
  it("the seed's call shape, reporting the old secret's index for a delivery signed with it", () => {
    const result = verifyWebhook(
      SPEC_BODY,
      SPEC_SIGNATURE,
      SPEC_TIMESTAMP,
      [SPEC_SECRET, OTHER_SECRET],
      at(),
    );
    expect(result.secretIndex).toBe(0);
    expect(result.timestamp).toBe(1782982800);
    expect(result.known).toBe(true);
    expect(result.event).toEqual(JSON.parse(SPEC_BODY));
  });

  it("a delivery signed with the new secret, reporting index 1", () => {
    const signature = signWebhook(SPEC_BODY, SPEC_TIMESTAMP, OTHER_SECRET);
    expect(
      verifyWebhook(SPEC_BODY, signature, SPEC_TIMESTAMP, [SPEC_SECRET, OTHER_SECRET], at()).secretIndex,
    ).toBe(1);
  });

  it("a single secret passed as a string", () => {
    expect(verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()).secretIndex).toBe(0);
  });

  it("the first matching position when a secret is listed twice", () => {
    expect(
      verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, [OTHER_SECRET, SPEC_SECRET, SPEC_SECRET], at())
        .secretIndex,
    ).toBe(1);
  });

  it("the body as a Buffer, a Uint8Array and an ArrayBuffer", () => {
    const buffer = Buffer.from(SPEC_BODY);
    const copy = new Uint8Array(buffer);
    for (const body of [buffer, copy, copy.buffer]) {
      expect(verifyWebhook(body, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()).secretIndex).toBe(0);
    }
  });

  it("a body that is a view into a larger buffer, using only the view's bytes", () => {
    // Pooled Buffers and subarrays share memory with their neighbours: reading `.buffer` whole would sign junk.
    const padded = Buffer.concat([
      Buffer.from("JUNK-BEFORE"),
      Buffer.from(SPEC_BODY),
      Buffer.from("JUNK-AFTER"),
    ]);
    const view = padded.subarray(11, 11 + Buffer.byteLength(SPEC_BODY));
    expect(view.byteOffset).toBeGreaterThan(0);
    expect(verifyWebhook(view, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()).secretIndex).toBe(0);
    const u8view = new Uint8Array(padded.buffer, padded.byteOffset + 11, view.length);
    expect(verifyWebhook(u8view, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()).secretIndex).toBe(0);
  });

  it("a pooled Buffer whose pool holds other data", () => {
    const small = Buffer.from(SPEC_BODY); // under 4 KiB: allocated from Node's shared pool
    expect(small.buffer.byteLength).toBeGreaterThan(small.length);
    expect(verifyWebhook(small, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()).event.id).toBe(
      "evt_01J2Z3K4M5N6P7Q8R9S0T1V2W3",
    );
  });

  it("an event type the spec does not list, as the envelope with known: false", () => {
    const body =
      '{"type":"session.archived","id":"evt_x","created_at":"2026-07-02T09:00:00Z","data":{"anything":[1,2]}}';
    const result = verifyWebhook(
      body,
      signWebhook(body, SPEC_TIMESTAMP, SPEC_SECRET),
      SPEC_TIMESTAMP,
      SPEC_SECRET,
      at(),
    );
    expect(result).toMatchObject({
      known: false,
      secretIndex: 0,
      event: { type: "session.archived", data: { anything: [1, 2] } },
    });
  });

  it("a delivery signed just now with the default clock and tolerance", () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    expect(
      verifyWebhook(SPEC_BODY, signWebhook(SPEC_BODY, timestamp, SPEC_SECRET), timestamp, SPEC_SECRET)
        .secretIndex,
    ).toBe(0);
  });

  it("up to the last millisecond of the 300th second, comparing whole seconds", () => {
    const clock = (ms: number) => ({ now: () => Number(SPEC_TIMESTAMP) * 1000 + ms });
    expect(
      verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, clock(300_999)).secretIndex,
    ).toBe(0);
    refuses(
      () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, clock(301_000)),
      "timestamp_out_of_tolerance",
    );
    expect(
      verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, clock(-300_000)).secretIndex,
    ).toBe(0);
    refuses(
      () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, clock(-300_001)),
      "timestamp_out_of_tolerance",
    );
  });

  it("a custom tolerance under either name, the official SDK's toleranceS included", () => {
    for (const options of [
      { toleranceSeconds: 10 },
      { toleranceS: 10 },
      { toleranceSeconds: 10, toleranceS: 10 },
    ]) {
      expect(
        verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, {
          ...options,
          now: clockAt(10),
        }).secretIndex,
      ).toBe(0);
      refuses(
        () =>
          verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, {
            ...options,
            now: clockAt(11),
          }),
        "timestamp_out_of_tolerance",
      );
    }
    expect(
      verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, {
        toleranceSeconds: 0,
        now: clockAt(0),
      }).secretIndex,
    ).toBe(0);
  });
});

describe("verifyWebhook refuses a delivery", () => {
  const verifyAt =
    (signature: unknown, timestamp: unknown, offset = 0) =>
    () =>
      verifyWebhook(SPEC_BODY, signature as string, timestamp as string, SPEC_SECRET, at(offset));

  it("older or newer than the tolerance, saying which way the clock is off", () => {
    expect(refuses(verifyAt(SPEC_SIGNATURE, SPEC_TIMESTAMP, 301), "timestamp_out_of_tolerance")).toMatch(
      /signed 301 s ago/,
    );
    expect(refuses(verifyAt(SPEC_SIGNATURE, SPEC_TIMESTAMP, -301), "timestamp_out_of_tolerance")).toMatch(
      /301 s in the future/,
    );
  });

  it("whose timestamp is missing", () => {
    for (const timestamp of [undefined, null, ""])
      refuses(verifyAt(SPEC_SIGNATURE, timestamp), "missing_timestamp");
  });

  it("whose timestamp is anything but ASCII digits", () => {
    const bad = [
      `${SPEC_TIMESTAMP}abc`,
      ` ${SPEC_TIMESTAMP}`,
      `${SPEC_TIMESTAMP}.0`,
      `+${SPEC_TIMESTAMP}`,
      "-1",
      "1.78e9",
      "0x6A3F6A10",
      "１７８２９８２８００",
      "12345678901234567890",
      1782982800,
    ];
    for (const timestamp of bad) refuses(verifyAt(SPEC_SIGNATURE, timestamp), "invalid_timestamp");
    expect(refuses(verifyAt(SPEC_SIGNATURE, `${SPEC_TIMESTAMP}abc`), "invalid_timestamp")).toMatch(
      /position 10/,
    );
  });

  it("whose signature is missing", () => {
    for (const signature of [undefined, null, ""])
      refuses(verifyAt(signature, SPEC_TIMESTAMP), "missing_signature");
  });

  it("whose signature is not sha256= and 64 lowercase hex digits, explaining what is off", () => {
    const hex = SPEC_SIGNATURE.slice(7);
    expect(refuses(verifyAt(hex, SPEC_TIMESTAMP), "malformed_signature")).toMatch(/prefix is missing/);
    expect(refuses(verifyAt(`sha256=${hex.toUpperCase()}`, SPEC_TIMESTAMP), "malformed_signature")).toMatch(
      /uppercase/,
    );
    expect(
      refuses(verifyAt(`${SPEC_SIGNATURE}, sha256=${"0".repeat(64)}`, SPEC_TIMESTAMP), "duplicate_header"),
    ).toMatch(/more than once with different values/);
    expect(
      refuses(
        verifyAt(`v1,${Buffer.from(hex, "hex").toString("base64")}`, SPEC_TIMESTAMP),
        "malformed_signature",
      ),
    ).toMatch(/another provider/);
    const others = [
      `SHA256=${hex}`,
      `sha256=${hex.slice(1)}`,
      `sha256=${hex}0`,
      `sha256=${hex.slice(1)}g`,
      `${SPEC_SIGNATURE} `,
      ` ${SPEC_SIGNATURE}`,
      `sha256:${hex}`,
      42,
    ];
    for (const signature of others) refuses(verifyAt(signature, SPEC_TIMESTAMP), "malformed_signature");
  });

  it("when no trusted secret signed it", () => {
    const message = refuses(
      () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, [OTHER_SECRET], at()),
      "signature_mismatch",
    );
    expect(message).toMatch(/^The secret does not match/);
    expect(message).toMatch(/\[oldSecret, newSecret\]/);
  });

  it("when one byte of the body changed", () => {
    const body = Buffer.from(SPEC_BODY);
    body.writeUInt8(body.readUInt8(body.length - 3) ^ 0x01, body.length - 3);
    refuses(
      () => verifyWebhook(body, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()),
      "signature_mismatch",
    );
  });

  it("when the timestamp moved by one second, still inside the window", () => {
    refuses(verifyAt(SPEC_SIGNATURE, String(Number(SPEC_TIMESTAMP) + 1)), "signature_mismatch");
  });

  it("signed with a secret that is a prefix or an extension of a trusted one", () => {
    for (const secret of [SPEC_SECRET.slice(0, -1), `${SPEC_SECRET}x`]) {
      const signature = signWebhook(SPEC_BODY, SPEC_TIMESTAMP, secret);
      refuses(
        () => verifyWebhook(SPEC_BODY, signature, SPEC_TIMESTAMP, SPEC_SECRET, at()),
        "signature_mismatch",
      );
    }
  });
});

describe("signature_mismatch messages diagnose the likely cause", () => {
  it("a secret with trailing spaces, named by position only", () => {
    const message = refuses(
      () =>
        verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, [OTHER_SECRET, `${SPEC_SECRET}  `], at()),
      "signature_mismatch",
    );
    expect(message).toMatch(/^None of the 2 secrets matches/);
    expect(message).toMatch(/secrets\[1\] has leading or trailing spaces/);
  });

  it("a secret without its whsec_ prefix", () => {
    const message = refuses(
      () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET.slice(6), at()),
      "signature_mismatch",
    );
    expect(message).toMatch(/The secret does not start with "whsec_"/);
  });

  it("a body re-serialised with indentation", () => {
    const pretty = JSON.stringify(JSON.parse(SPEC_BODY), null, 2);
    expect(
      refuses(
        () => verifyWebhook(pretty, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()),
        "signature_mismatch",
      ),
    ).toMatch(/line breaks/);
  });

  it("an empty body", () => {
    expect(
      refuses(
        () => verifyWebhook("", SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()),
        "signature_mismatch",
      ),
    ).toMatch(/body is empty/);
  });
});

describe("verifyWebhook refuses bad receiver input up front", () => {
  it("an empty secret list or an unset secret, even for an otherwise valid delivery", () => {
    const cases: unknown[] = [[], "", [""], [undefined], [SPEC_SECRET, undefined], null, undefined];
    for (const secrets of cases)
      refuses(
        () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, secrets as string[], at()),
        "no_secret",
      );
    // The sparse array's hole must not be skipped: SPEC_SECRET would otherwise match.
    const sparse = [undefined, SPEC_SECRET] as string[]; // eslint-disable-line no-sparse-arrays
    expect(
      refuses(() => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, sparse, at()), "no_secret"),
    ).toMatch(/secrets\[0\] is undefined/);
  });

  it("a secret with a control character, such as a newline read from a file", () => {
    const message = refuses(
      () =>
        verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, [OTHER_SECRET, `${SPEC_SECRET}\n`], at()),
      "invalid_secret",
    );
    expect(message).toMatch(/secrets\[1\] contains a control character \(a trailing newline/);
  });

  it("a secret with a trailing NUL, which HMAC's zero padding would otherwise treat as the same key", () => {
    const hmac = (key: string) =>
      createHmac("sha256", key).update(`${SPEC_TIMESTAMP}.${SPEC_BODY}`).digest("hex");
    expect(hmac(`${SPEC_SECRET}\u0000`)).toBe(hmac(SPEC_SECRET)); // the reason for the rule
    refuses(
      () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, `${SPEC_SECRET}\u0000`, at()),
      "invalid_secret",
    );
  });

  it("secrets that are not strings or have no UTF-8 form", () => {
    for (const secrets of [[42], [Buffer.from(SPEC_SECRET)], ["whsec_\uD800abc"]]) {
      refuses(
        () => verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, secrets as string[], at()),
        "invalid_secret",
      );
    }
  });

  it("a body that was already parsed, or is not text or bytes", () => {
    const parsed = JSON.parse(SPEC_BODY) as unknown;
    expect(
      refuses(
        () => verifyWebhook(parsed as string, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()),
        "invalid_body",
      ),
    ).toMatch(/already-parsed/);
    for (const body of [undefined, null, 42, new Uint16Array(4), "\uDC00{}"]) {
      refuses(
        () => verifyWebhook(body as string, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, at()),
        "invalid_body",
      );
    }
  });

  it("options with a typo, a bad tolerance or a clock in the wrong unit", () => {
    const bad: unknown[] = [
      null,
      "300",
      { tolerance: 600 },
      { toleranceSeconds: -1 },
      { toleranceSeconds: Number.NaN },
      { toleranceSeconds: Number.POSITIVE_INFINITY },
      { toleranceSeconds: "300" },
      { toleranceSeconds: 300, toleranceS: 600 },
      { now: 1782982800000 },
      { now: () => new Date(1782982800000) },
      { now: () => "1782982800000" },
    ];
    for (const options of bad)
      refuses(
        () =>
          verifyWebhook(
            SPEC_BODY,
            SPEC_SIGNATURE,
            SPEC_TIMESTAMP,
            SPEC_SECRET,
            options as VerifyWebhookOptions,
          ),
        "invalid_options",
      );
    expect(
      refuses(
        () =>
          verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, {
            tolerance: 600,
          } as VerifyWebhookOptions),
        "invalid_options",
      ),
    ).toMatch(/Unknown option "tolerance"/);
  });

  it("a clock in seconds rather than milliseconds, with a hint about the unit", () => {
    const message = refuses(
      () =>
        verifyWebhook(SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, {
          now: () => Number(SPEC_TIMESTAMP),
        }),
      "timestamp_out_of_tolerance",
    );
    expect(message).toMatch(/milliseconds/);
  });
});

describe("a verified body that is not an event envelope", () => {
  const signed = (body: string) => () =>
    verifyWebhook(
      body,
      signWebhook(body, SPEC_TIMESTAMP, OTHER_SECRET),
      SPEC_TIMESTAMP,
      [SPEC_SECRET, OTHER_SECRET],
      at(),
    );
  const envelope = JSON.parse(SPEC_BODY) as Record<string, unknown>;
  const variant = (change: Record<string, unknown>) => JSON.stringify({ ...envelope, ...change });

  it("is invalid_payload, still telling which secret matched", () => {
    const error = thrown(signed("not json")) as WebhookVerificationError;
    expect({ reason: error.reason, secretIndex: error.secretIndex }).toEqual({
      reason: "invalid_payload",
      secretIndex: 1,
    });
    expect(error.message).toMatch(/^The signature is valid, but the body is not JSON/);
  });

  it("refuses a body that is not an envelope: no string type, no string id or no object data", () => {
    const bodies = [
      "[]",
      "null",
      '"session.completed"',
      variant({ type: 7 }),
      variant({ id: null }),
      variant({ data: null }),
      variant({ data: [] }),
      JSON.stringify({ id: "evt", data: {} }),
    ];
    for (const body of bodies) refuses(signed(body), "invalid_payload");
  });

  it("verifies an authentic envelope whose fields the spec describes otherwise, with known: false", () => {
    const bodies = [
      variant({ type: "" }),
      variant({ created_at: 1782982800 }),
      variant({ created_at: undefined }),
      variant({ created_at: "2026-02-30T09:00:00Z" }),
      variant({ data: { status: "completed", previous_status: null } }),
      variant({ data: { session_id: "s", status: "completed" } }),
      variant({ data: { session_id: "s", status: null, previous_status: null } }),
      variant({ type: "ping", data: { webhook: "x" } }),
      variant({ type: "ping", data: { webhook_id: "not-a-uuid" } }),
    ];
    for (const body of bodies) {
      const result = signed(body)();
      expect({ known: result.known, secretIndex: result.secretIndex, event: result.event }).toEqual({
        known: false,
        secretIndex: 1,
        event: JSON.parse(body),
      });
    }
  });

  it("marks known only what matches the spec's schema for its type, extra fields included", () => {
    expect(signed(variant({ extra: true, data: { ...(envelope.data as object), more: 1 } }))().known).toBe(
      true,
    );
    const ping = { type: "ping", id: "evt_p", created_at: "2026-07-02T09:00:00+02:00" };
    expect(
      signed(JSON.stringify({ ...ping, data: { webhook_id: "f47ac10b-58cc-4372-a567-0e02b2c3d479" } }))()
        .known,
    ).toBe(true);
  });

  it("refuses bytes that are not UTF-8, even where a lenient decoder would yield a valid event", () => {
    const body = Buffer.concat([
      Buffer.from('{"type":"ping","id":"evt_'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('","created_at":"x","data":{"webhook_id":"w"}}'),
    ]);
    expect(JSON.parse(body.toString("utf8"))).toMatchObject({ type: "ping" }); // what a lenient decode would accept
    const call = () =>
      verifyWebhook(body, signWebhook(body, SPEC_TIMESTAMP, SPEC_SECRET), SPEC_TIMESTAMP, SPEC_SECRET, at());
    expect(refuses(call, "invalid_payload")).toMatch(/not UTF-8/);
  });

  it("accepts a session event whose previous_status is null", () => {
    expect(
      signed(variant({ data: { session_id: "s", status: "running", previous_status: null } }))().known,
    ).toBe(true);
  });

  it("treats inherited names such as toString as unknown event types", () => {
    expect(signed(variant({ type: "toString" }))().known).toBe(false);
  });
});
