/**
 * A refusal, as a user meets it: exit 1, one `--json` error document with the expected code,
 * a message naming the problem and a hint naming the fix, `error:`/`hint:` lines on stderr,
 * and nothing written (every file under .layeron and LAYERON_HOME byte for byte unchanged,
 * plus whatever else the caller snapshots, such as the emulator's secrets).
 */
import assert from "node:assert/strict"
import { jsonOf } from "./project.js"
import type { LayerOptions, LayerRun } from "./project.js"

export interface Refusal {
  code: string
  message: RegExp
  hint: RegExp
}

export interface ErrorDocument {
  error: { code: string; message: string; hint: string }
}

/** What a refusal runs against: a test project (or anything that runs the CLI and snapshots its files). */
export interface Refusable {
  layer(args: readonly string[], options?: LayerOptions): Promise<LayerRun>
  snapshot(): Promise<Map<string, string>>
}

export interface RefusalOptions extends LayerOptions {
  /** More state that must not change (compared with deepEqual before and after). */
  alsoUnchanged?: () => unknown | Promise<unknown>
}

/** Run `layer <args> --json` and assert it was refused as `expected`, with nothing written. */
export async function assertRefused(target: Refusable, args: readonly string[], expected: Refusal, options: RefusalOptions = {}): Promise<LayerRun> {
  const { alsoUnchanged, ...layerOptions } = options
  const before = await target.snapshot()
  const otherBefore = await alsoUnchanged?.()
  const run = await target.layer([...args, "--json"], layerOptions)
  assert.equal(run.code, 1, `exit code; stderr:\n${run.stderr}`)
  const { error } = jsonOf<ErrorDocument>(run)
  assert.equal(error.code, expected.code, error.message)
  assert.match(error.message, expected.message)
  assert.match(error.hint, expected.hint)
  assert.match(run.stderr, /^error: .+\nhint: .+/m)
  assert.deepEqual(await target.snapshot(), before, "the store, state or LAYERON_HOME changed")
  if (alsoUnchanged) assert.deepEqual(await alsoUnchanged(), otherBefore, "state outside the project changed")
  return run
}
