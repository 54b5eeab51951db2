/**
 * Read, validate and atomically write rotation state files. A file edited by hand into
 * something invalid is refused with its path, never guessed at: carrying a wrong version
 * forward would silently break readers.
 */
import { rm } from "../fs/io.js"
import { dirname } from "node:path"
import { isSealedFormat } from "@layeron/modules/seal"
import { isRfc3339 } from "@layeron/modules/declare"
import { VERSION_ID_PATTERN } from "@layeron/modules/limits"
import { LayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { secretStatePath } from "./paths.js"
import { STATE_FORMAT } from "./types.js"
import type { SealedVersion, SecretState } from "./types.js"
import { readTextIfExists } from "../fs/read-if-exists.js"
import { makeDirectory } from "../fs/safe-path.js"
import { MAX_ANCHOR_LENGTH } from "./anchor.js"

export async function readSecretState(projectRoot: string, environment: string, physicalName: string): Promise<SecretState | undefined> {
  const path = secretStatePath(projectRoot, environment, physicalName)
  let text: string | undefined
  try {
    text = await readTextIfExists(path)
  } catch (error) {
    throw new LayerError("state_unreadable", `cannot read rotation state ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: "check the file's permissions",
    })
  }
  if (text === undefined) return undefined
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
  if (data.policy !== undefined) checkPolicy(data.policy, invalid, "policy")
  const provider = data.provider
  if (!isObject(provider) || !["local", "cloudflare"].includes(provider.kind as string)) throw invalid('"provider.kind" must be local or cloudflare')
  for (const key of ["secretId", "modified"] as const) {
    if (provider[key] !== undefined && typeof provider[key] !== "string") throw invalid(`"provider.${key}" must be a string`)
  }
  if (!isObject(data.versions)) throw invalid('"versions" must be an object')
  checkVersions(data.versions, "versions", invalid)
  if (data.current !== undefined && (typeof data.current !== "string" || !Object.hasOwn(data.versions, data.current))) {
    throw invalid(`"current" must name one of "versions"`)
  }
  if (data.fingerprints !== undefined) checkFingerprints(data.fingerprints, "fingerprints", invalid)
  if (data.digests !== undefined) checkDigests(data.digests, '"digests"', invalid)
  if (data.pending !== undefined) checkPending(data.pending, invalid)
  if (!Array.isArray(data.log)) throw invalid('"log" must be an array')
  data.log.forEach((entry, index) => checkLogEntry(entry, `log[${index}]`, invalid))
  return data as unknown as SecretState
}

type Invalid = (what: string) => Error

function checkVersions(versions: Record<string, unknown>, at: string, invalid: Invalid): void {
  for (const [id, version] of Object.entries(versions)) {
    if (!VERSION_ID_PATTERN.test(id)) throw invalid(`${at}: version id "${id}" must match ${VERSION_ID_PATTERN}`)
    if (!isObject(version)) throw invalid(`${at}.${id} must be an object`)
    if ("value" in version) throw invalid(`${at}.${id} holds a plaintext "value"; state files hold sealed copies only`)
    if (typeof version.sealed !== "string" || !isSealedFormat(version.sealed)) throw invalid(`${at}.${id}.sealed is not a sealed value`)
    for (const time of ["createdAt", "expiresAt"] as const) {
      if (version[time] !== undefined && !isTime(version[time])) throw invalid(`${at}.${id}.${time} is not an RFC 3339 time`)
    }
  }
}

function checkDigests(digests: unknown, at: string, invalid: Invalid): void {
  if (!isObject(digests)) throw invalid(`${at} must be an object`)
  for (const [id, digest] of Object.entries(digests)) {
    if (typeof digest !== "string" || !/^[0-9a-f]{64}$/.test(digest)) throw invalid(`${at}.${id} must be 64 lowercase hex digits`)
  }
}

function checkPending(pending: unknown, invalid: Invalid): void {
  if (!isObject(pending)) throw invalid('"pending" must be an object')
  for (const key of ["action", "versionId", "current", "command"] as const) {
    if (typeof pending[key] !== "string") throw invalid(`"pending.${key}" must be a string`)
  }
  if (!isTime(pending.startedAt)) throw invalid('"pending.startedAt" is not an RFC 3339 time')
  if (pending.providerModifiedBefore !== undefined && typeof pending.providerModifiedBefore !== "string") {
    throw invalid('"pending.providerModifiedBefore" must be a string')
  }
  if (!isObject(pending.versions)) throw invalid('"pending.versions" must be an object')
  checkVersions(pending.versions, "pending.versions", invalid)
  if (!Object.hasOwn(pending.versions, pending.current as string)) throw invalid('"pending.current" must name one of "pending.versions"')
  if (pending.policy !== undefined) checkPolicy(pending.policy, invalid, "pending.policy")
  if (pending.revoked !== undefined) checkVersionIds(pending.revoked, "pending.revoked", invalid)
  if (pending.fingerprints !== undefined) checkFingerprints(pending.fingerprints, "pending.fingerprints", invalid)
  if (pending.anchor !== undefined && (typeof pending.anchor !== "string" || pending.anchor.length > MAX_ANCHOR_LENGTH)) throw invalid('"pending.anchor" must be a short string')
  if (pending.digests !== undefined) checkDigests(pending.digests, '"pending.digests"', invalid)
}

function checkFingerprints(fingerprints: unknown, at: string, invalid: Invalid): void {
  if (!isObject(fingerprints)) throw invalid(`"${at}" must be an object`)
  for (const [id, fingerprint] of Object.entries(fingerprints)) {
    if (!VERSION_ID_PATTERN.test(id)) throw invalid(`${at}: version id "${id}" must match ${VERSION_ID_PATTERN}`)
    if (typeof fingerprint !== "string" || !/^[0-9a-f]{8}$/.test(fingerprint)) throw invalid(`${at}.${id} must be 8 hex digits`)
  }
}

function checkPolicy(policy: unknown, invalid: Invalid, at: string): void {
  if (!isObject(policy)) throw invalid(`"${at}" must be an object`)
  if (typeof policy.everyDays !== "number" || !Number.isInteger(policy.everyDays) || policy.everyDays < 1) throw invalid(`"${at}.everyDays" must be a whole number of days`)
  if (policy.startAt !== undefined && !isTime(policy.startAt)) throw invalid(`"${at}.startAt" is not an RFC 3339 time`)
  const retain = policy.retain
  if (!isObject(retain) || !["none", "retain_for", "retain_forever"].includes(retain.mode as string)) {
    throw invalid(`"${at}.retain.mode" must be none, retain_for or retain_forever`)
  }
  if (retain.mode === "retain_for" && (typeof retain.days !== "number" || !Number.isInteger(retain.days) || retain.days < 1)) {
    throw invalid(`"${at}.retain.days" must be a whole number of days`)
  }
}

function checkLogEntry(entry: unknown, at: string, invalid: Invalid): void {
  if (!isObject(entry)) throw invalid(`${at} must be an object`)
  if (!isTime(entry.at)) throw invalid(`${at}.at is not an RFC 3339 time`)
  for (const key of ["action", "version", "command"] as const) {
    if (typeof entry[key] !== "string") throw invalid(`${at}.${key} must be a string`)
  }
  if (entry.revoked !== undefined) checkVersionIds(entry.revoked, `${at}.revoked`, invalid)
}

function checkVersionIds(ids: unknown, at: string, invalid: Invalid): void {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string" && VERSION_ID_PATTERN.test(id))) throw invalid(`${at} must be a list of version ids`)
}

function isTime(value: unknown): boolean {
  return typeof value === "string" && isRfc3339(value)
}

export async function writeSecretState(projectRoot: string, environment: string, state: SecretState): Promise<void> {
  const path = secretStatePath(projectRoot, environment, state.physicalName)
  // Private like the local store it may sit in (a local environment's state lives under .layeron/local/): no plaintext, but no one else's to edit.
  await makeDirectory(dirname(path), 0o700)
  await writeFileAtomic(path, JSON.stringify(orderState(state), null, 2) + "\n", 0o600)
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
    ...(state.fingerprints && Object.keys(state.fingerprints).length ? { fingerprints: sortVersions(state.fingerprints) } : {}),
    ...(state.digests ? { digests: state.digests } : {}),
    ...(state.pending ? { pending: { ...state.pending, versions: sortVersions(state.pending.versions) } } : {}),
    log: state.log,
  }
  return ordered
}

function sortVersions<T>(versions: Record<string, T>): Record<string, T> {
  // fromEntries defines own properties: an id such as `__proto__` stays a plain key.
  return Object.fromEntries(versionIdsInOrder(versions).map((id) => [id, versions[id]!]))
}

/** Version ids oldest first (`v<N>` by number, then the rest by code unit). */
export function versionIdsInOrder(versions: Record<string, unknown>): string[] {
  return Object.keys(versions).sort((a, b) => versionOrder(a) - versionOrder(b) || (a < b ? -1 : 1))
}

function versionOrder(id: string): number {
  const match = /^v(\d+)$/.exec(id)
  return match ? Number(match[1]) : Number.MAX_SAFE_INTEGER
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}
