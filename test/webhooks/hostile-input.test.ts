// Hostile input, one named case each, on both paths: what used to escape as a TypeError (or verify what it must
// not) and the typed outcome it has now. Start from the spec's valid delivery, change one argument.
import { afterEach, describe, expect, it } from "vitest";
import {
  buildSignedDelivery,
  isWebhookVerificationError,
  readWebhookHeaders,
  signWebhook,
  verifyWebhook,
  verifyWebhookAsync,
} from "../../src/webhooks/index.js";
import { clockAt, SPEC_BODY, SPEC_SECRET, SPEC_SIGNATURE, SPEC_TIMESTAMP } from "./support/fixtures.js";
import { HOSTILE } from "./support/verify-suite.js";

type Args = [unknown, unknown, unknown, unknown, unknown?];
const valid = (): Args => [SPEC_BODY, SPEC_SIGNATURE, SPEC_TIMESTAMP, SPEC_SECRET, { now: clockAt() }];
const bytes = () => new TextEncoder().encode(SPEC_BODY);

/** The outcome of verifying on one path: "verified", a reason, or "untyped ..." for anything else thrown. */
async function outcome(verify: (...args: Args) => unknown, args: Args): Promise<string> {
  try {
    await verify(...args);
    return "verified";
  } catch (error) {
    return isWebhookVerificationError(error) ? error.reason : `untyped ${String(error)}`;
  }
}

const with_ = (position: number, value: unknown): Args => {
  const args = valid();
  args[position] = value;
  return args;
};

const CASES: Array<[string, () => Args, string]> = [
  ["body: a detached ArrayBuffer", () => with_(0, HOSTILE["detached ArrayBuffer"]!()), "invalid_body"],
  [
    "body: a Uint8Array over a detached buffer",
    () => with_(0, HOSTILE["Uint8Array over a detached buffer"]!()),
    "invalid_body",
  ],
  ["body: a revoked Proxy", () => with_(0, HOSTILE["revoked Proxy"]!()), "invalid_body"],
  ["body: a Proxy of a Uint8Array", () => with_(0, new Proxy(bytes(), {})), "invalid_body"],
  [
    "body: the signed bytes in a SharedArrayBuffer (copied, then verified)",
    () => {
      const shared = new Uint8Array(new SharedArrayBuffer(bytes().length));
      shared.set(bytes());
      return with_(0, shared);
    },
    "verified",
  ],
  [
    "body: the signed bytes in a resizable ArrayBuffer",
    () => {
      const buffer = new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(
        bytes().length,
        {
          maxByteLength: 4096,
        },
      );
      new Uint8Array(buffer).set(bytes());
      return with_(0, buffer);
    },
    "verified",
  ],
  [
    "signature: an object whose toString throws",
    () => with_(1, HOSTILE["object whose toString and valueOf throw"]!()),
    "malformed_signature",
  ],
  ["timestamp: a revoked Proxy", () => with_(2, HOSTILE["revoked Proxy"]!()), "invalid_timestamp"],
  ["secrets: a revoked Proxy", () => with_(3, HOSTILE["revoked Proxy"]!()), "invalid_secret"],
  [
    "secrets: a revoked Proxy of an array",
    () => with_(3, HOSTILE["revoked Proxy of an array"]!()),
    "invalid_secret",
  ],
  [
    "secrets: a list whose length getter throws",
    () => with_(3, HOSTILE["array whose length getter throws"]!()),
    "invalid_secret",
  ],
  [
    "secrets: a list claiming 2^32 - 1 entries",
    () => with_(3, HOSTILE["array claiming 2^32 - 1 entries"]!()),
    "invalid_secret",
  ],
  [
    "secrets: a list whose entry changes after it is read (checked and used from one copy)",
    () => {
      let reads = 0;
      return with_(
        3,
        new Proxy([SPEC_SECRET], {
          get: (t, k) => (k === "0" ? (reads++ === 0 ? SPEC_SECRET : 42) : Reflect.get(t, k)),
        }),
      );
    },
    "verified",
  ],
  [
    "secrets: a list whose iterator yields other secrets (read by index, never iterated)",
    () => {
      const list = [SPEC_SECRET];
      (list as unknown as { [Symbol.iterator]: unknown })[Symbol.iterator] = function* () {
        yield "whsec_swapped";
      };
      return with_(3, list);
    },
    "verified",
  ],
  [
    "secrets: an entry whose getters throw",
    () => with_(3, [HOSTILE["object with throwing getters"]!()]),
    "invalid_secret",
  ],
  ["options: a revoked Proxy", () => with_(4, HOSTILE["revoked Proxy"]!()), "invalid_options"],
  [
    "options: getters that throw",
    () => with_(4, HOSTILE["object with throwing getters"]!()),
    "invalid_options",
  ],
  [
    "options: a Proxy whose every trap throws",
    () => with_(4, HOSTILE["Proxy whose every trap throws"]!()),
    "invalid_options",
  ],
  [
    "options: a now() that throws",
    () => with_(4, { now: HOSTILE["function that throws"]!() }),
    "invalid_options",
  ],
  [
    "options: a now() that throws a non-Error",
    () => with_(4, { now: HOSTILE["function that throws a non-Error"]!() }),
    "invalid_options",
  ],
  ["options: a now() that returns a Date", () => with_(4, { now: () => new Date() }), "invalid_options"],
];

describe.each([
  ["verifyWebhook", verifyWebhook as (...args: Args) => unknown],
  ["verifyWebhookAsync", verifyWebhookAsync as (...args: Args) => unknown],
])("%s under hostile input", (_name, verify) => {
  it.each(CASES)("%s → %s", async (_case, args, expected) => {
    expect(await outcome(verify, args())).toBe(expected);
  });

  describe("with Object.prototype polluted elsewhere in the app", () => {
    afterEach(() => {
      delete (Object.prototype as Record<string, unknown>).toleranceSeconds;
      delete (Object.prototype as Record<string, unknown>).now;
    });

    it("reads options as own properties only: a polluted tolerance does not let a 1970 delivery through", async () => {
      (Object.prototype as Record<string, unknown>).toleranceSeconds = 1e15;
      (Object.prototype as Record<string, unknown>).now = () => 0;
      const old = buildSignedDelivery(SPEC_BODY, SPEC_SECRET, { timestamp: 60 });
      const args: Args = [old.body, old.signature, old.timestamp, SPEC_SECRET, {}];
      expect(await outcome(verify, args)).toBe("timestamp_out_of_tolerance");
    });
  });
});

describe("readWebhookHeaders under hostile input", () => {
  const reason = (headers: unknown) => {
    try {
      readWebhookHeaders(headers as Headers);
      return "read";
    } catch (error) {
      return isWebhookVerificationError(error) ? error.reason : `untyped ${String(error)}`;
    }
  };

  it.each([
    ["a revoked Proxy", () => HOSTILE["revoked Proxy"]!(), "invalid_headers"],
    ["a Proxy whose every trap throws", () => HOSTILE["Proxy whose every trap throws"]!(), "invalid_headers"],
    ["a get() that throws", () => ({ get: HOSTILE["function that throws"]!() }), "invalid_headers"],
    ["getters that throw", () => HOSTILE["object with throwing getters"]!(), "invalid_headers"],
    [
      "an array value claiming 2^32 - 1 copies",
      () => ({ "x-h-webhook-signature": HOSTILE["array claiming 2^32 - 1 entries"]!() }),
      "duplicate_header",
    ],
  ])("%s → %s", (_case, headers, expected) => {
    expect(reason(headers())).toBe(expected);
  });

  it("reads a Map through the built-in iterator, whatever a subclass's own entries() says", () => {
    class Lying extends Map<string, string> {
      override entries(): MapIterator<[string, string]> {
        throw new Error("not called");
      }
    }
    const headers = new Lying([
      ["X-H-Webhook-Signature", SPEC_SIGNATURE],
      ["X-H-Webhook-Timestamp", SPEC_TIMESTAMP],
    ]);
    expect(readWebhookHeaders(headers)).toEqual({ signature: SPEC_SIGNATURE, timestamp: SPEC_TIMESTAMP });
  });
});

describe("the signing helpers under hostile input throw their documented TypeError", () => {
  it.each([
    [
      "signWebhook, body a revoked Proxy",
      () => signWebhook(HOSTILE["revoked Proxy"]!() as string, SPEC_TIMESTAMP, SPEC_SECRET),
    ],
    [
      "signWebhook, secret a revoked Proxy",
      () => signWebhook(SPEC_BODY, SPEC_TIMESTAMP, HOSTILE["revoked Proxy"]!() as string),
    ],
    [
      "signWebhook, a detached body",
      () => signWebhook(HOSTILE["detached ArrayBuffer"]!() as ArrayBuffer, SPEC_TIMESTAMP, SPEC_SECRET),
    ],
    [
      "buildSignedDelivery, an event whose toJSON throws",
      () =>
        buildSignedDelivery({ toJSON: HOSTILE["function that throws"]! } as unknown as string, SPEC_SECRET),
    ],
    [
      "buildSignedDelivery, options whose now() throws",
      () =>
        buildSignedDelivery(SPEC_BODY, SPEC_SECRET, {
          now: HOSTILE["function that throws"]! as () => number,
        }),
    ],
  ])("%s", (_case, call) => {
    expect(call).toThrow(TypeError);
  });
});
