// A small seeded generator (mulberry32) for tests: the same sequence for the same seed, so a
// failing randomised test can be rerun exactly from the seed it prints.

/** Returns a function giving numbers in [0, 1), determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The seed of a randomised test: SEED from the environment (to rerun a failure), else the clock. */
export function testSeed(): number {
  const text = process.env['SEED'];
  return text === undefined ? Date.now() >>> 0 : Number(text);
}

/**
 * fast-check's options for `numRuns` runs, with SEED's seed when set (fast-check prints its own).
 * RUNS_SCALE=<k> multiplies the runs, for a long hunt away from CI.
 */
export function propertyRuns(runs: number): { numRuns: number; seed?: number } {
  const numRuns = Math.max(1, Math.round(runs * Number(process.env['RUNS_SCALE'] ?? 1)));
  const text = process.env['SEED'];
  return text === undefined ? { numRuns } : { numRuns, seed: Number(text) };
}
