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

