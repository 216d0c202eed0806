// A clock for the sandbox that moves only when a test says so: retries, attempt timeouts and the event stream
// fire in order as time is advanced, with pending promise work (an in-process receiver's answer) settled
// between timers. Tests advance it instead of sleeping, so "nothing happened" is proved, not waited for.
import type { SandboxClock } from "../../src/mock/sandbox.js";

interface Timer {
  at: number;
  order: number;
  callback: () => void;
}

/** Lets promise chains and already-due I/O callbacks run (a few macrotask turns). */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements SandboxClock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<Timer>();

  // Starts at the real time by default, so signatures it dates pass a verifier's freshness check.
  constructor(start = Math.floor(Date.now() / 1000) * 1000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer = { at: this.#now + ms, order: this.#order++, callback };
    this.#timers.add(timer);
    return () => this.#timers.delete(timer);
  }

  /** Timers still waiting to fire. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way in order, settling work between them. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = [...this.#timers]
        .filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (next === undefined) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.callback();
      await settle();
    }
    this.#now = target;
  }
}
