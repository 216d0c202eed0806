// Side-by-side throughput measurement. Candidates of one comparison run in interleaved rounds, so that
// drift in machine load hits all of them alike; each figure is the median over rounds.

const now = () => process.hrtime.bigint();

/** Operations per second of `fn` during one slice of about `sliceMs`. */
async function slice(fn, sliceMs) {
  const deadline = now() + BigInt(sliceMs) * 1_000_000n;
  const start = now();
  let ops = 0;
  let batch = 1;
  // Batches grow so that reading the clock does not dominate cheap operations.
  while (now() < deadline) {
    for (let i = 0; i < batch; i += 1) {
      const result = fn();
      if (result instanceof Promise) await result;
    }
    ops += batch;
    if (batch < 1024) batch *= 2;
  }
  return ops / (Number(now() - start) / 1e9);
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs every candidate `rounds` times, interleaved, after one warm-up slice each.
 * @param {Record<string, () => unknown>} candidates
 * @returns {Promise<Record<string, number>>} median operations per second by candidate name
 */
export async function compare(candidates, { rounds = 5, sliceMs = 250 } = {}) {
  const names = Object.keys(candidates);
  for (const name of names) await slice(candidates[name], 50);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) samples[name].push(await slice(candidates[name], sliceMs));
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}
