// Rotation drill: a receiver following the seed's procedure misses nothing; receivers that cut corners do.
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../../src/webhooks/index.js";
import { runRotationDrill } from "./support/drill.js";

describe("rotation drill", () => {
  const drill = runRotationDrill({ policy: { kind: "follows-procedure" } });
  const { rotatedAt } = drill;

  it("a receiver following the procedure verifies every attempt and acknowledges every event", () => {
    expect(drill.events).toBe(360);
    expect(drill.failedVerifications).toEqual([]);
    expect(drill.lost).toEqual([]);
    expect(drill.acknowledged.size).toBe(drill.events);
  });

  it("exercises the hard cases: retries re-signed after the rotation, and old-signed deliveries still in flight", () => {
    const retriedAcross = drill.matches.filter(
      (m) => m.attempt > 0 && m.sentAt >= rotatedAt && Number(m.eventId.slice(4)) * 5 < rotatedAt,
    );
    expect(retriedAcross.length).toBeGreaterThan(0);
    expect(retriedAcross.every((m) => m.signedWith === "new" && m.matched === "new")).toBe(true);
    const inFlight = drill.matches.filter((m) => m.sentAt < rotatedAt && m.arrivedAt >= rotatedAt);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.every((m) => m.matched === "old")).toBe(true);
  });

  it("reports the old secret before the rotation and the new one for everything signed after it", () => {
    expect(drill.matches.filter((m) => m.sentAt < rotatedAt).every((m) => m.matched === "old")).toBe(true);
    expect(drill.matches.filter((m) => m.sentAt >= rotatedAt).every((m) => m.matched === "new")).toBe(true);
  });

  it("retires the old secret a tolerance window after the new one first matched, and keeps verifying", () => {
    const firstNew = Math.min(...drill.matches.filter((m) => m.matched === "new").map((m) => m.arrivedAt));
    const lastOld = Math.max(...drill.matches.filter((m) => m.matched === "old").map((m) => m.arrivedAt));
    expect(drill.retiredOldAt).toBeGreaterThanOrEqual(firstNew + 300);
    expect(lastOld).toBeLessThan(drill.retiredOldAt!);
    expect(drill.matches.filter((m) => m.arrivedAt > drill.retiredOldAt!).length).toBeGreaterThan(100);
  });

  it("fails for a receiver that skips the overlap: deliveries fail and events are lost until it redeploys", () => {
    const skipping = runRotationDrill({ policy: { kind: "skips-overlap", redeployAfter: 900 } });
    expect(skipping.failedVerifications.length).toBeGreaterThan(0);
    expect(skipping.failedVerifications.every((a) => a.signedWith === "new")).toBe(true);
    expect(skipping.lost.length).toBeGreaterThan(0);
  });

  it("fails verifications for a receiver that drops the old secret at the rotation, until retries re-sign them", () => {
    const dropping = runRotationDrill({ policy: { kind: "drops-old-at-rotation" } });
    expect(dropping.failedVerifications.length).toBeGreaterThan(0);
    expect(dropping.failedVerifications.every((a) => a.signedWith === "old" && a.sentAt < rotatedAt)).toBe(
      true,
    );
    expect(dropping.lost).toEqual([]);
  });

  it("shows the window when the new secret reaches the receiver late: rejected attempts, recovered by re-signed retries", () => {
    const late = runRotationDrill({ policy: { kind: "follows-procedure", learnsNewSecretAfter: 20 } });
    expect(late.failedVerifications.length).toBeGreaterThan(0);
    expect(late.failedVerifications.every((a) => a.signedWith === "new" && a.sentAt < rotatedAt + 20)).toBe(
      true,
    );
    expect(late.lost).toEqual([]);
  });

  it("catches a verifier that only ever tries the first secret", () => {
    const firstOnly: typeof verifyWebhook = (body, signature, timestamp, secrets, options) =>
      verifyWebhook(
        body,
        signature,
        timestamp,
        Array.isArray(secrets) ? secrets.slice(0, 1) : secrets,
        options,
      );
    const broken = runRotationDrill({ policy: { kind: "follows-procedure" }, verify: firstOnly });
    expect(broken.failedVerifications.length).toBeGreaterThan(0);
  });
});
