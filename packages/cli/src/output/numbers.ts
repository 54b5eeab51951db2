/**
 * Whole numbers with thousands separators, as en-US writes them ("65,536"). Not
 * `toLocaleString("en-US")`: its first call loads ICU's number data, ~10 ms of a command
 * that takes ~90 ms in all (docs/performance.md), for a comma.
 */
export function groupThousands(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n)
  return String(n).replace(/\B(?=(\d{3})+$)/g, ",")
}
