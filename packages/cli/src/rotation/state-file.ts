/**
 * Read, validate and atomically write rotation state files. A file edited by hand into
 * something invalid is refused with its path, never guessed at: carrying a wrong version
 * forward would silently break readers.
 */
import { readFile, rm } from "node:fs/promises"
import { relative } from "node:path"
import { isSealedFormat } from "@layeron/modules/seal"
import { isRfc3339 } from "@layeron/modules/declare"
import { VERSION_ID_PATTERN } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { secretStatePath } from "./paths.js"
import { STATE_FORMAT } from "./types.js"
import type { SealedVersion, SecretState } from "./types.js"

export async function readSecretState(projectRoot: string, environment: string, physicalName: string): Promise<SecretState | undefined> {
  const path = secretStatePath(projectRoot, environment, physicalName)
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new LayerError("state_unreadable", `cannot read rotation state ${relative(process.cwd(), path) || path}: ${(error as Error).message}`, {
      hint: "check the file's permissions",
    })
  }
  return parseSecretState(text, path, physicalName)
}

export function parseSecretState(text: string, path: string, physicalName: string): SecretState {
  const invalid = (what: string) =>
    new LayerError("invalid_state", `rotation state ${path} is invalid: ${what}`, {
      hint: `restore it from version control (git checkout -- ${path}); deleting it drops the history that rotation carries forward`,
      details: { file: path },
    })
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw invalid("not valid JSON")
  }
  if (!isObject(data)) throw invalid("not a JSON object")
  if (data.format !== STATE_FORMAT) throw invalid(`"format" must be "${STATE_FORMAT}"`)
  if (data.physicalName !== physicalName) throw invalid(`"physicalName" must be "${physicalName}" (the file's name)`)
  if (typeof data.secret !== "string") throw invalid('"secret" must be a string')
  if (!["static", "random", "generated"].includes(data.kind as string)) throw invalid('"kind" must be static, random or generated')
  if (!isObject(data.provider) || !["local", "cloudflare"].includes(data.provider.kind as string)) throw invalid('"provider.kind" must be local or cloudflare')
  if (!isObject(data.versions)) throw invalid('"versions" must be an object')
  checkVersions(data.versions, "versions", invalid)
  if (data.current !== undefined && (typeof data.current !== "string" || !(data.current in data.versions))) {
    throw invalid(`"current" must name one of "versions"`)
  }
  if (data.pending !== undefined) {
    const pending = data.pending
    if (!isObject(pending) || typeof pending.versionId !== "string" || typeof pending.current !== "string" || !isObject(pending.versions)) {
      throw invalid('"pending" must hold versionId, current and versions')
    }
    checkVersions(pending.versions, "pending.versions", invalid)
  }
  if (!Array.isArray(data.log)) throw invalid('"log" must be an array')
  return data as unknown as SecretState
}

function checkVersions(versions: Record<string, unknown>, at: string, invalid: (what: string) => Error): void {
  for (const [id, version] of Object.entries(versions)) {
    if (!VERSION_ID_PATTERN.test(id)) throw invalid(`${at}: version id "${id}" must match ${VERSION_ID_PATTERN}`)
    if (!isObject(version)) throw invalid(`${at}.${id} must be an object`)
    if ("value" in version) throw invalid(`${at}.${id} holds a plaintext "value"; state files hold sealed copies only`)
    if (typeof version.sealed !== "string" || !isSealedFormat(version.sealed)) throw invalid(`${at}.${id}.sealed is not a sealed value`)
    for (const time of ["createdAt", "expiresAt"] as const) {
      if (version[time] !== undefined && !isRfc3339(version[time])) throw invalid(`${at}.${id}.${time} is not an RFC 3339 time`)
    }
  }
}

export async function writeSecretState(projectRoot: string, environment: string, state: SecretState): Promise<void> {
  const path = secretStatePath(projectRoot, environment, state.physicalName)
  await writeFileAtomic(path, JSON.stringify(orderState(state), null, 2) + "\n")
}

export async function removeSecretState(projectRoot: string, environment: string, physicalName: string): Promise<void> {
  await rm(secretStatePath(projectRoot, environment, physicalName), { force: true })
}

/** Stable key order keeps diffs of committed state small. */
function orderState(state: SecretState): SecretState {
  const ordered: SecretState = {
    format: state.format,
    secret: state.secret,
    physicalName: state.physicalName,
    kind: state.kind,
    ...(state.policy ? { policy: state.policy } : {}),
    provider: state.provider,
    ...(state.current ? { current: state.current } : {}),
    versions: sortVersions(state.versions),
    ...(state.pending ? { pending: { ...state.pending, versions: sortVersions(state.pending.versions) } } : {}),
    log: state.log,
  }
  return ordered
}

function sortVersions(versions: Record<string, SealedVersion>): Record<string, SealedVersion> {
  return Object.fromEntries(Object.entries(versions).sort(([a], [b]) => versionOrder(a) - versionOrder(b) || (a < b ? -1 : 1)))
}

function versionOrder(id: string): number {
  const match = /^v(\d+)$/.exec(id)
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}
