/**
 * A seeded pseudo-random sequence (mulberry32) for tests that pick instants or inputs at
 * random: the seed is printed in the test's name, and LAYERON_TEST_SEED replays a run.
 */
export function testSeed(fallback: number): number {
  const raw = process.env.LAYERON_TEST_SEED
  return raw && /^\d+$/.test(raw) ? Number(raw) : fallback
}

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}
