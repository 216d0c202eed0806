// fast-check settings shared by the property tests. CI runs a fixed seed, so a red build is reproducible from
// its log and a green one does not depend on luck; a developer's run draws a fresh seed each time, so local runs
// keep exploring new cases. Either way the seed is printed, and `FC_SEED=<n>` replays a run exactly.
import fc from "fast-check";
import { expect } from "vitest";

const CI_SEED = 20260702;
const inCI = process.env.CI !== undefined && !["", "0", "false"].includes(process.env.CI.toLowerCase());

export const SEED =
  process.env.FC_SEED !== undefined && process.env.FC_SEED !== ""
    ? Number(process.env.FC_SEED)
    : inCI
      ? CI_SEED
      : Math.floor(Math.random() * 2 ** 31);
if (!Number.isSafeInteger(SEED))
  throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(process.env.FC_SEED)}.`);

const tally = { properties: 0, cases: 0 };

/** Counts cases checked elsewhere (the shared verify suite) into the printed summary. */
export function count(properties: number, cases: number): void {
  tally.properties += properties;
  tally.cases += cases;
}

/** Checks a property for exactly `numRuns` generated cases and counts them; fails with fast-check's replay report. */
export function holds<T>(property: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns: number): void {
  const details = fc.check(property, { numRuns, seed: SEED });
  count(1, details.numRuns);
  if (details.failed)
    expect.fail(`${fc.defaultReportMessage(details) ?? "property failed"}\nReplay with FC_SEED=${SEED}.`);
  expect(details.numRuns).toBe(numRuns);
}

export function summary(): string {
  return `fast-check: ${tally.cases} generated cases across ${tally.properties} properties (seed ${SEED}${inCI ? ", fixed for CI" : ", random"}; replay with FC_SEED=${SEED})`;
}
