/**
 * Test-only crash injection. When LAYERON_TEST_CRASH_AT names a step, the process kills
 * itself with SIGKILL on reaching it, so the crash matrix can stop a run at an exact point
 * without any cooperation from the code after it. Unset in normal use: a no-op.
 */
export function crashPoint(step: string): void {
  const target = process.env.LAYERON_TEST_CRASH_AT
  if (!target) return
  const [name, nth] = target.split("#")
  if (name !== step) return
  // "step#2" crashes on the second time the step is reached.
  const seen = (counts.get(step) ?? 0) + 1
  counts.set(step, seen)
  if (seen >= Number(nth ?? 1)) process.kill(process.pid, "SIGKILL")
}

const counts = new Map<string, number>()
