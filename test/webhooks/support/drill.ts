// A deterministic simulation of a secret rotation: the platform sends events and retries, signing each attempt
// at send time with whatever secret is current; a receiver verifies with its list of trusted secrets.
import {
  buildSignedDelivery,
  readWebhookHeaders,
  type SignedDelivery,
  verifyWebhook,
  WebhookVerificationError,
} from "../../../src/webhooks/index.js";

const OLD_SECRET = "whsec_drillOldSecret0000000000000000000000000";
const NEW_SECRET = "whsec_drillNewSecret1111111111111111111111111";

/** How the operator treats the receiver's secret list around the rotation. */
type ReceiverPolicy =
  /** The seed's procedure: list ready, new secret added as the rotate response arrives, old retired once unused. */
  | { kind: "follows-procedure"; learnsNewSecretAfter?: number }
  /** Single secret; the new one is deployed (replacing the old) `redeployAfter` seconds after the rotation. */
  | { kind: "skips-overlap"; redeployAfter: number }
  /** Swaps old for new the moment the rotate response arrives. */
  | { kind: "drops-old-at-rotation" };

export interface DrillOptions {
  policy: ReceiverPolicy;
  /** Verification function under test; the real one by default. */
  verify?: typeof verifyWebhook;
}

interface Attempt {
  eventId: string;
  attempt: number;
  sentAt: number;
  signedWith: "old" | "new";
}

export interface DrillReport {
  events: number;
  acknowledged: Set<string>;
  lost: string[];
  /** Attempts that reached the receiver and failed verification. */
  failedVerifications: Attempt[];
  /** Verified attempts: when they arrived, and the label of the secret that matched. */
  matches: Array<Attempt & { arrivedAt: number; matched: string }>;
  rotatedAt: number;
  retiredOldAt: number | undefined;
}

// The schedule of the simulation, in seconds of virtual time. The platform's real retry schedule is not
// documented; these backoffs only need to be shorter than the skipping receiver's redeploy delay.
const EVENT_EVERY = 5;
const DURATION = 1800;
const ROTATE_AT = 600;
const OUTAGE = { from: ROTATE_AT - 45, to: ROTATE_AT - 5 };
const BACKOFF = [30, 120, 600];
const TOLERANCE = 300;

/** Network latency of an attempt, 0.2 to 4.1 s, varying with the event and attempt but fixed from run to run. */
const latency = (event: number, attempt: number) => 0.2 + ((event * 7 + attempt * 3) % 40) / 10;

export function runRotationDrill({ policy, verify = verifyWebhook }: DrillOptions): DrillReport {
  let platformSecret: "old" | "new" = "old";
  const values = { old: OLD_SECRET, new: NEW_SECRET };
  let trusted: Array<"old" | "new"> = ["old"];
  let firstNewMatchAt: number | undefined;
  let retiredOldAt: number | undefined;

  const report: DrillReport = {
    events: 0,
    acknowledged: new Set(),
    lost: [],
    failedVerifications: [],
    matches: [],
    rotatedAt: ROTATE_AT,
    retiredOldAt: undefined,
  };
  const queue: Array<{ at: number; seq: number; run: () => void }> = [];
  let seq = 0;
  const schedule = (at: number, run: () => void) => {
    queue.push({ at, seq: seq++, run });
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  };

  const receive = (delivery: SignedDelivery, attempt: Attempt, now: number): boolean => {
    if (now >= OUTAGE.from && now < OUTAGE.to) return false; // receiver down: no answer, nothing verified
    const { signature, timestamp } = readWebhookHeaders(delivery.headers);
    try {
      const result = verify(
        delivery.body,
        signature,
        timestamp,
        trusted.map((label) => values[label]),
        { now: () => now * 1000 },
      );
      const matched = trusted[result.secretIndex]!;
      report.matches.push({ ...attempt, arrivedAt: now, matched });
      if (matched === "new") firstNewMatchAt ??= now;
      // Step 4: once the new secret has matched, any delivery signed with the old one is dated before that
      // moment; a full tolerance window later it could not verify anyway, so the old secret can go.
      if (
        policy.kind === "follows-procedure" &&
        trusted.includes("old") &&
        firstNewMatchAt !== undefined &&
        now - firstNewMatchAt >= TOLERANCE
      ) {
        trusted = trusted.filter((label) => label !== "old");
        retiredOldAt = now;
      }
      return true;
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      report.failedVerifications.push(attempt);
      return false;
    }
  };

  const send = (event: number, attempt: number, at: number) => {
    const eventId = `evt_${String(event).padStart(4, "0")}`;
    const body = {
      type: "session.completed",
      id: eventId,
      created_at: new Date(event * EVENT_EVERY * 1000).toISOString(),
      data: { session_id: `s${event}`, status: "completed", previous_status: "running" },
    } as const;
    // Signed now, with whatever secret is current now: a retry after the rotation carries the new secret.
    const delivery = buildSignedDelivery(body, values[platformSecret], { now: () => at * 1000 });
    const record: Attempt = { eventId, attempt, sentAt: at, signedWith: platformSecret };
    const arrival = at + latency(event, attempt);
    schedule(arrival, () => {
      if (receive(delivery, record, arrival)) report.acknowledged.add(eventId);
      else if (attempt < BACKOFF.length)
        schedule(arrival + BACKOFF[attempt]!, () => send(event, attempt + 1, arrival + BACKOFF[attempt]!));
      else report.lost.push(eventId);
    });
  };

  // Step 2: rotate. The platform switches at once; the operator acts on the response. Scheduled first, so at
  // the same instant the rotation happens before a send.
  schedule(ROTATE_AT, () => {
    platformSecret = "new";
  });
  if (policy.kind === "follows-procedure")
    schedule(ROTATE_AT + (policy.learnsNewSecretAfter ?? 0), () => (trusted = ["old", "new"]));
  if (policy.kind === "drops-old-at-rotation") schedule(ROTATE_AT, () => (trusted = ["new"]));
  if (policy.kind === "skips-overlap") schedule(ROTATE_AT + policy.redeployAfter, () => (trusted = ["new"]));

  for (let event = 0; event * EVENT_EVERY < DURATION; event += 1) {
    report.events += 1;
    schedule(event * EVENT_EVERY, () => send(event, 0, event * EVENT_EVERY));
  }

  while (queue.length > 0) queue.shift()!.run();
  report.retiredOldAt = retiredOldAt;
  return report;
}
