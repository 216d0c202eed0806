// Many real runs of the built executable rotating one secrets file at once, against a stand-in API that
// holds every answer until all the requests are in, so that all the runs reach the file's lock together.
// Three scenarios: no crash; a stale lock left by a crashed run; and, on top of it, runs SIGKILLed while
// they hold the lock (a watcher reads the lock file and kills its owner when it is one of the victims).
// The promise checked: every run that exits 0 has its secret in the file, every other run that was not
// killed printed its secret, and the file holds nothing but issued secrets, each once.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/cli.js";
import { appendSecret, readSecretsFile } from "../../src/secrets-file.js";
import {
  deadPid,
  type Exited,
  KEY,
  requireFreshBuild,
  rotatedBody,
  runBin,
  type StandIn,
  startStandIn,
} from "./harness.js";

const RUNS = 8;
const TRIALS = 2;
const OLD = "whsec_theSecretBeforeTheStressTest0000000000";
// Run i rotates webhook i, and the stand-in answers each webhook with its own secret.
const webhookId = (run: number) => `f47ac10b-58cc-4372-a567-${String(run).padStart(12, "0")}`;
const secretFor = (trial: string, run: number) =>
  `whsec_stress${trial}run${String(run).padStart(3, "0")}000000000000`;

let standIn: StandIn;
beforeAll(async () => {
  requireFreshBuild();
  standIn = await startStandIn();
});
afterAll(() => standIn.close());

interface Tally {
  stored: number;
  printed: number;
  killed: number;
  lost: number;
  /** What each lost run did, for the failure message. */
  problems: string[];
}

/** One trial: RUNS processes rotate one file at once; returns what happened to each. */
async function trial(
  name: string,
  options: { staleLock: boolean; killWhileLocked: boolean },
): Promise<Tally> {
  const dir = mkdtempSync(join(tmpdir(), "rotate-stress-"));
  const file = join(dir, "webhook-secrets");
  try {
    writeFileSync(file, `${OLD}\n`, { mode: 0o600 });
    if (options.staleLock) writeFileSync(`${file}.lock`, `${deadPid()}.00000000deadbeef\n`);

    // Answers are held until every run has sent its request, then released together.
    const held: Array<() => void> = [];
    standIn.answer = (req, res) => {
      const id = /webhooks\/([^/]+)\/rotate/.exec(req.url ?? "")?.[1] ?? "";
      const run = Number(id.slice(-12));
      held.push(() =>
        res.writeHead(200, { "Content-Type": "application/json" }).end(rotatedBody(secretFor(name, run), id)),
      );
      if (held.length === RUNS) for (const release of held) release();
    };

    const children = new Map<number, ChildProcess>();
    const victims = new Set<number>();
    const runs = Array.from({ length: RUNS }, (_, run) =>
      runBin(
        ["rotate", webhookId(run), "--secrets-file", file],
        { HAI_API_KEY: KEY, HAI_BASE_URL: standIn.url },
        dir,
        (child) => {
          if (child.pid !== undefined) children.set(child.pid, child);
          if (options.killWhileLocked && run % 3 === 0 && child.pid !== undefined) victims.add(child.pid);
        },
      ),
    );
    let done = false;
    const all = Promise.all(runs).finally(() => {
      done = true;
    });
    // The watcher: whenever the lock names a victim, kill it there, holding the lock.
    while (options.killWhileLocked && !done) {
      let owner = Number.NaN;
      try {
        owner = Number.parseInt(readFileSync(`${file}.lock`, "utf8"), 10);
      } catch {
        // no lock at this instant
      }
      if (victims.delete(owner)) children.get(owner)?.kill("SIGKILL");
      await new Promise((resolve) => setImmediate(resolve));
    }
    const exits: Exited[] = await all;

    const stored = await readSecretsFile(file);
    const issued = new Set(Array.from({ length: RUNS }, (_, run) => secretFor(name, run)));
    expect(stored[0]).toBe(OLD);
    expect(stored.slice(1).every((secret) => issued.has(secret))).toBe(true);
    expect(new Set(stored).size).toBe(stored.length);

    const tally: Tally = { stored: 0, printed: 0, killed: 0, lost: 0, problems: [] };
    exits.forEach((exit, run) => {
      const secret = secretFor(name, run);
      if (exit.signal === "SIGKILL") tally.killed += 1;
      else if (exit.code === EXIT.done && stored.includes(secret)) tally.stored += 1;
      else if (exit.code === EXIT.notStored && exit.stdout === `${secret}\n`) {
        tally.printed += 1;
        console.log(`stress: ${name} run ${run} could not store its secret: ${exit.stderr.split("\n")[0]}`);
      } else {
        tally.lost += 1;
        tally.problems.push(`${name} run ${run}: exit ${exit.code ?? exit.signal}, ${exit.stderr.trim()}`);
      }
    });
    // Whatever the crashes left behind, the next change gets the lock and leaves the folder clean.
    await appendSecret(file, `whsec_afterTheStress${name}0000000000000000`, { lockWaitMs: 5_000 });
    // (A run that could not store its secret leaves it in a rescue file, as documented.)
    expect(readdirSync(dir).filter((entry) => !entry.includes(".unstored-"))).toEqual(["webhook-secrets"]);
    return tally;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("many rotations of one secrets file at once, as real processes", () => {
  const scenarios = [
    { label: "no crash", staleLock: false, killWhileLocked: false },
    { label: "a stale lock left by a crashed run", staleLock: true, killWhileLocked: false },
    {
      label: "a stale lock, and runs SIGKILLed while holding the lock",
      staleLock: true,
      killWhileLocked: true,
    },
  ];
  for (const [index, scenario] of scenarios.entries()) {
    it(`${scenario.label}: every run that exits 0 has its secret stored, every other run printed it`, {
      timeout: 120_000,
    }, async () => {
      const total: Tally = { stored: 0, printed: 0, killed: 0, lost: 0, problems: [] };
      for (let round = 0; round < TRIALS; round += 1) {
        const tally = await trial(`s${index}t${round}`, scenario);
        total.stored += tally.stored;
        total.printed += tally.printed;
        total.killed += tally.killed;
        total.lost += tally.lost;
        total.problems.push(...tally.problems);
      }
      console.log(
        `stress (${scenario.label}): ${TRIALS} trials x ${RUNS} runs: ${total.stored} stored (exit 0), ` +
          `${total.printed} printed (exit 5), ${total.killed} killed holding the lock, ${total.lost} lost`,
      );
      expect(total.problems).toEqual([]);
      expect(total.stored + total.printed + total.killed).toBe(TRIALS * RUNS);
      if (scenario.killWhileLocked) expect(total.killed).toBeGreaterThan(0);
    });
  }
});
