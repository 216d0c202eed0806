// fast-check settings shared by the property tests: a fixed number of runs and a seed that can be replayed.
import fc from "fast-check";
import { expect } from "vitest";

/** `FC_SEED=<n>` replays a run exactly; otherwise a fresh seed is drawn and printed. */
export const SEED =
  process.env.FC_SEED === undefined || process.env.FC_SEED === ""
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.FC_SEED);
if (!Number.isSafeInteger(SEED))
  throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(process.env.FC_SEED)}.`);

const tally = { properties: 0, cases: 0 };

/** Checks a property for exactly `numRuns` generated cases and counts them; fails with fast-check's replay report. */
export function holds<T>(property: fc.IPropertyWithHooks<T> | fc.IProperty<T>, numRuns: number): void {
  const details = fc.check(property, { numRuns, seed: SEED });
  tally.properties += 1;
  tally.cases += details.numRuns;
  if (details.failed)
    expect.fail(`${fc.defaultReportMessage(details) ?? "property failed"}\nReplay with FC_SEED=${SEED}.`);
  expect(details.numRuns).toBe(numRuns);
}

export function summary(): string {
  return `fast-check: ${tally.cases} generated cases across ${tally.properties} properties (seed ${SEED}; replay with FC_SEED=${SEED})`;
}
