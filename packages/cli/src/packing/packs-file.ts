/**
 * Read, validate and atomically write packs.json (types.ts). Committed, so it is input from
 * anyone who can merge: a file that does not parse is refused with its path, and what it says
 * is believed only where the pack's comment vouches for it (provider.ts).
 */
import { join } from "node:path"
import { isPhysicalName } from "@layeron/modules/naming"
import { LayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { parseJsonQuietly } from "../fs/json.js"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { makeDirectory } from "../fs/safe-path.js"
import { rotationDir } from "../rotation/paths.js"
import { PACKS_FORMAT } from "./types.js"
import type { PackMember, PacksFile } from "./types.js"

export function packsFilePath(projectRoot: string, environment: string): string {
  return join(rotationDir(projectRoot, environment), "packs.json")
}

export function emptyPacksFile(environment: string): PacksFile {
  return { format: PACKS_FORMAT, environment, packs: [] }
}

export async function readPacksFile(projectRoot: string, environment: string): Promise<PacksFile | undefined> {
  const path = packsFilePath(projectRoot, environment)
  const text = await readTextIfExists(path)
  if (text === undefined) return undefined
  const invalid = (what: string) =>
    new LayerError("invalid_state", `pack record ${path} is invalid: ${what}; nothing was written`, {
      hint: `restore it from version control (git checkout -- ${path})`,
      details: { file: path },
    })
  const data = parseJsonQuietly(text)
  if (!isObject(data)) throw invalid("not a JSON object")
  if (data.format !== PACKS_FORMAT) throw invalid(`"format" must be "${PACKS_FORMAT}"`)
  if (data.environment !== environment) throw invalid(`"environment" must be "${environment}" (its folder)`)
  if (!Array.isArray(data.packs)) throw invalid('"packs" must be an array')
  const seen = new Set<string>()
  data.packs.forEach((pack: unknown, at: number) => {
    if (!isObject(pack)) throw invalid(`packs[${at}] must be an object`)
    if (pack.index !== at) throw invalid(`packs[${at}].index must be ${at}`)
    if (typeof pack.physicalName !== "string" || !isPhysicalName(pack.physicalName)) throw invalid(`packs[${at}].physicalName is not an lo_ name`)
    for (const key of ["anchor", "modified", "secretId"] as const) if (pack[key] !== undefined && typeof pack[key] !== "string") throw invalid(`packs[${at}].${key} must be a string`)
    if (pack.retired !== undefined && pack.retired !== true) throw invalid(`packs[${at}].retired must be true or absent`)
    if (!Array.isArray(pack.members)) throw invalid(`packs[${at}].members must be an array`)
    pack.members.forEach((member: unknown, m: number) => checkMember(member, `packs[${at}].members[${m}]`, invalid, seen))
  })
  if (data.pending !== undefined) {
    const pending = data.pending
    if (!isObject(pending) || typeof pending.pack !== "string" || !isStringList(pending.written) || typeof pending.anchor !== "string" || typeof pending.startedAt !== "string" || !Array.isArray(pending.members)) {
      throw invalid('"pending" must hold pack, written, anchor, startedAt and members')
    }
    pending.members.forEach((member: unknown, m: number) => checkMember(member, `pending.members[${m}]`, invalid, new Set()))
  }
  return data as unknown as PacksFile
}

export async function writePacksFile(projectRoot: string, file: PacksFile): Promise<void> {
  await makeDirectory(rotationDir(projectRoot, file.environment))
  await writeFileAtomic(packsFilePath(projectRoot, file.environment), `${JSON.stringify(file, null, 2)}\n`)
}

function checkMember(member: unknown, at: string, invalid: (what: string) => Error, seen: Set<string>): asserts member is PackMember {
  if (!isObject(member)) throw invalid(`${at} must be an object`)
  if (typeof member.secret !== "string" || typeof member.physicalName !== "string" || !isPhysicalName(member.physicalName)) throw invalid(`${at} needs "secret" and an lo_ "physicalName"`)
  if (seen.has(member.physicalName)) throw invalid(`${at}: ${member.secret} is in two packs`)
  seen.add(member.physicalName)
  for (const key of ["anchor", "modified"] as const) if (member[key] !== undefined && typeof member[key] !== "string") throw invalid(`${at}.${key} must be a string`)
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string")
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}
