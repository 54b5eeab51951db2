/**
 * A node:test reporter that adds up the time of each test file's top-level tests and writes
 * one JSON object, file path → milliseconds. scripts/run-tests.mjs uses it to print the
 * slowest files after a run, so that whoever keeps CI inside its time budget knows where the
 * minutes go without timing anything by hand.
 */
export default async function* fileDurations(source) {
  const msByFile = new Map()
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue
    if (event.data.nesting !== 0) continue
    const file = event.data.file ?? "(unknown file)"
    msByFile.set(file, (msByFile.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0))
  }
  yield JSON.stringify(Object.fromEntries(msByFile))
}
