// Shared fixtures: the spec's example delivery and a clock pinned to its timestamp.
export const SPEC_SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";
export const OTHER_SECRET = "whsec_k3TQyhq2mPv8WdJ4cN7xLbR9sF1aZ6uE0gYoHiC5jXw";
export const SPEC_TIMESTAMP = "1782982800";
export const SPEC_SIGNATURE = "sha256=733441107dcf5734599167a2cfd20c3cdf858828f8c2dc206071fca6a98638f4";
export const SPEC_BODY =
  '{"type":"session.completed","id":"evt_01J2Z3K4M5N6P7Q8R9S0T1V2W3","created_at":"2026-07-02T09:00:00Z",' +
  '"data":{"session_id":"9c5b94b1-35ad-49bb-b118-8e8fc24abf80","status":"completed","previous_status":"running"}}';

/** A clock `offsetSeconds` after the spec example's timestamp, in milliseconds. */
export const clockAt =
  (offsetSeconds = 0) =>
  () =>
    (Number(SPEC_TIMESTAMP) + offsetSeconds) * 1000;

/** Runs `action` and returns what it threw; fails the test if it returned. */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw, but the call returned");
}
