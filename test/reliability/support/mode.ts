/**
 * How big the reliability run is. `npm test` runs the default (small matrices, a few minutes
 * on a 2-core machine); `LAYERON_RELIABILITY_FULL=1 npm run reliability` runs every cell,
 * and is the run whose figures go into docs/reliability.md.
 */
export const FULL = process.env.LAYERON_RELIABILITY_FULL === "1"

/** The default-run value, or the full-run one. */
export function sized<T>(normal: T, full: T): T {
  return FULL ? full : normal
}

/**
 * A deterministic sample of `items` of at most `count` (every item in the full run): evenly
 * spread, so a small run still touches the first, the last and the middle positions.
 */
export function sample<T>(items: readonly T[], count: number): T[] {
  if (FULL || items.length <= count) return [...items]
  if (count <= 0) return []
  if (count === 1) return [items[0] as T]
  const picked = new Set<number>()
  for (let i = 0; i < count; i++) picked.add(Math.round((i * (items.length - 1)) / (count - 1)))
  return [...picked].sort((a, b) => a - b).map((index) => items[index] as T)
}
