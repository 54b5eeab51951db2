/**
 * Which commands exist yet. `secret rotate` and `layer deploy` are being written alongside
 * this suite; until they land their modules throw `not_implemented`. Cells for a missing
 * command are reported as not run, never counted.
 */
import { jsonOf } from "../../helpers/project.js"
import type { TestProject } from "../../helpers/project.js"

export interface Availability {
  rotate: boolean
  deploy: boolean
}

/** Probe with read-only forms (a plan, a dry run) on a throwaway local project. */
export async function probeCommands(project: TestProject): Promise<Availability> {
  const implemented = async (args: string[]) => {
    const run = await project.layer([...args, "--json"])
    if (run.code === 0 || run.code === 2) return true
    try {
      return jsonOf<{ error?: { code?: string } }>(run).error?.code !== "not_implemented"
    } catch {
      return true
    }
  }
  return { rotate: await implemented(["secret", "rotate"]), deploy: await implemented(["deploy", "--dry-run"]) }
}

export function missingReason(command: string): string {
  return `\`layer ${command}\` is not implemented in this tree yet (its module throws not_implemented), so its cells were not run`
}
