/** `node bench/run.mjs [--runs N] [--quick] [--only SECTION[,SECTION]]`, checked strictly. */
import { parseArgs } from "node:util"

export const MIN_RUNS = 5

export const USAGE = `usage: node bench/run.mjs [--runs N] [--quick] [--only SECTION[,SECTION…]]
  --runs N     runs per measure (default ${MIN_RUNS}, at least ${MIN_RUNS}: min, median and max need them)
  --quick      smaller work per run (fewer reads, 25 secrets instead of 100); runs stay >= ${MIN_RUNS}
  --only S     run only these sections (repeatable or comma-separated)`

/**
 * @param {readonly string[]} argv
 * @param {readonly string[]} sections the known section names
 * @returns {{ runs: number, quick: boolean, only: string[], help: boolean }}
 */
export function parseOptions(argv, sections) {
  let values
  try {
    ;({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: "string" },
        quick: { type: "boolean", default: false },
        only: { type: "string", multiple: true },
        help: { type: "boolean", short: "h", default: false },
      },
    }))
  } catch (error) {
    throw new UsageError(`${error.message}`)
  }
  let runs = MIN_RUNS
  if (values.runs !== undefined) {
    if (!/^\d+$/.test(values.runs)) throw new UsageError(`--runs must be a whole number, got ${JSON.stringify(values.runs)}`)
    runs = Number(values.runs)
    if (runs < MIN_RUNS) throw new UsageError(`--runs ${runs} is below the minimum of ${MIN_RUNS} (min, median and max need at least ${MIN_RUNS} runs)`)
  }
  const only = (values.only ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean)
  const unknown = only.filter((s) => !sections.includes(s))
  if (unknown.length > 0) throw new UsageError(`unknown section ${unknown.map((s) => JSON.stringify(s)).join(", ")}; sections: ${sections.join(", ")}`)
  return { runs, quick: values.quick, only, help: values.help }
}

export class UsageError extends Error {
  name = "UsageError"
}

/**
 * A number flag of a bench script run on its own (`node bench/key-operations.mjs --runs 3`):
 * the value after `--name`, or `fallback` when the flag is absent.
 */
export function numberFlag(argv, name, fallback) {
  const at = argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(argv[at + 1])
}
