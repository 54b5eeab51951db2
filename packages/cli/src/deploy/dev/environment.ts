/**
 * The environment workerd starts with: what a process needs to run (PATH, locale, time zone,
 * temp dirs) and the guard's own variables, nothing else. miniflare spawns workerd with a copy of
 * `process.env`, which in the CLI holds Cloudflare credentials and any `--value-env` variable a
 * script exported: none of it is workerd's business.
 */
const KEPT = [
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|TZ|TERM|TMPDIR|TMP|TEMP|NO_COLOR|FORCE_COLOR)$/,
  /^LC_[A-Z_]+$/,
  // Windows needs these to start any process.
  /^(SYSTEMROOT|SystemRoot|WINDIR|COMSPEC|PATHEXT)$/,
  // Which workerd miniflare runs, and the parent-death guard's real binary (watchdog.ts).
  /^(MINIFLARE_WORKERD_PATH|LAYERON_WORKERD)$/,
]

export function workerdEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined && KEPT.some((rule) => rule.test(name))) kept[name] = value
  return kept
}

/**
 * Runs `start` (a miniflare construction or `setOptions`, which spawn workerd after some awaits)
 * with `process.env` narrowed, and puts the whole environment back when it settles. `layer dev`
 * handles one change at a time, so nothing else of the CLI runs meanwhile; the CLI's own reads
 * of the environment go through the `env` it was handed, not `process.env`.
 */
export async function withWorkerdEnvironment<T>(start: () => Promise<T>): Promise<T> {
  const full = process.env
  process.env = workerdEnvironment(full)
  try {
    return await start()
  } finally {
    process.env = full
  }
}
