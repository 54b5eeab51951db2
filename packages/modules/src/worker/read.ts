/**
 * The reads the Secret Product Worker serves: one version chosen by a selector, every active
 * version, and the versions' ids and times alone. Each looks up the manifest, applies the
 * secret's `expose`, reads the envelope, lets `envelope/` select at `now`, and opens sealed
 * versions. `readVersion` and `readActiveVersions` skip the `expose` check: they are for the
 * product's own use of a `use` key (worker/use.ts), after the caller check.
 */
import { selectActive, selectAt, selectCurrent, selectVersion } from "../envelope/index.js"
import type { Envelope, EnvelopeVersion } from "../envelope/index.js"
import { checkRegistered } from "./caller.js"
import { failures, ProductFailure } from "./failure.js"
import type { SecretManifest, SecretManifestEntry } from "./manifest.js"
import { openVersion } from "./open-version.js"
import type { ReadSelector, WireActive, WireVersion, WireVersionInfo } from "./protocol.js"
import { readEnvelope } from "./stored-envelope.js"
import type { WorkerEnv } from "./stored-envelope.js"

/** A secret the caller may reach: its id and manifest entry. */
export interface SecretAt {
  secretId: string
  entry: SecretManifestEntry
}

/** `caller` is the backend the request comes from (worker/caller.ts); it is checked before anything is read. */
export async function readOne(env: WorkerEnv, manifest: SecretManifest, caller: string | undefined, secretId: string, selector: ReadSelector, now: Date): Promise<WireVersion> {
  const entry = lookup(manifest, caller, secretId)
  const checked = checkSelector(secretId, selector)
  refuseValueRead(secretId, entry, checked.kind === "current" ? "current()" : checked.kind === "version" ? `version("${checked.id}")` : "at(time)")
  return readVersion(env, manifest, { secretId, entry }, checked, now)
}

/** One version's value, whatever `expose` says: for the product's own operations. */
export async function readVersion(env: WorkerEnv, manifest: SecretManifest, at: SecretAt, selector: ReadSelector, now: Date): Promise<WireVersion> {
  const envelope = await readEnvelope(env, at.secretId, at.entry)
  const selected = select(envelope, selector, now)
  if (!selected.ok) throw selectionFailure(at.secretId, envelope, selector, selected)
  return toWire(env, manifest, { ...at, versionId: selected.id }, selected.version)
}

/**
 * What `expose` lets a value reader have: nothing of a `use` key (its value never leaves this
 * Worker), only current() of a `current` one. Every value read passes here.
 */
function refuseValueRead(secretId: string, entry: SecretManifestEntry, read: string): void {
  if (entry.expose === "use") throw failures.useOnly(secretId, read)
  if (entry.expose === "current" && read !== "current()") throw failures.exposeRefused(secretId, read)
}

/** Every active version's id and times, current first, for any `expose`: no value is read or opened. */
export async function readVersionInfo(env: WorkerEnv, manifest: SecretManifest, caller: string | undefined, secretId: string, now: Date): Promise<WireVersionInfo[]> {
  const entry = lookup(manifest, caller, secretId)
  const envelope = await readEnvelope(env, secretId, entry)
  const current = selectCurrent(envelope, now)
  if (!current.ok) throw selectionFailure(secretId, envelope, { kind: "current" }, current)
  return selectActive(envelope, now).map(({ id, version }) => versionInfo(id, version))
}

/**
 * Every active version. The current one must open (current() would fail the same way); an
 * older one that cannot be opened is left out and reported in `skipped` with its typed
 * error, so one bad sealed copy degrades active() instead of failing it as a whole.
 */
export async function readActive(env: WorkerEnv, manifest: SecretManifest, caller: string | undefined, secretId: string, now: Date): Promise<WireActive> {
  const entry = lookup(manifest, caller, secretId)
  refuseValueRead(secretId, entry, "active()")
  return readActiveVersions(env, manifest, { secretId, entry }, now)
}

/** Every active version's value, whatever `expose` says: for the product's own operations. */
export async function readActiveVersions(env: WorkerEnv, manifest: SecretManifest, { secretId, entry }: SecretAt, now: Date): Promise<WireActive> {
  const envelope = await readEnvelope(env, secretId, entry)
  const current = selectCurrent(envelope, now)
  // An expired current makes the whole envelope unusable; say so rather than list the rest.
  if (!current.ok) throw selectionFailure(secretId, envelope, { kind: "current" }, current)
  const opened = await Promise.all(
    selectActive(envelope, now).map(async ({ id, version }) => {
      try {
        return { ok: true as const, wire: await toWire(env, manifest, { secretId, entry, versionId: id }, version) }
      } catch (error) {
        if (id === current.id || !isOpenFailure(error, id)) throw error
        return { ok: false as const, skipped: { version: id, code: error.wire.code, message: error.wire.message } }
      }
    }),
  )
  return { versions: opened.flatMap((item) => (item.ok ? [item.wire] : [])), skipped: opened.flatMap((item) => (item.ok ? [] : [item.skipped])) }
}

/** A failure to open this one version (its sealed copy, or the sealing key), not of the read as a whole. */
function isOpenFailure(error: unknown, versionId: string): error is ProductFailure {
  return error instanceof ProductFailure && error.wire.versionId === versionId && (error.wire.code === "invalid_envelope" || error.wire.code === "product_unavailable")
}

export function lookup(manifest: SecretManifest, caller: string | undefined, secretId: string): SecretManifestEntry {
  checkRegistered(manifest, caller, secretId)
  const entry = Object.hasOwn(manifest.secrets, secretId) ? manifest.secrets[secretId] : undefined
  if (entry === undefined) throw failures.notDeclared(secretId)
  return entry
}

/** RPC arguments come from another Worker, possibly built from another Layeron version. */
function checkSelector(secretId: string, selector: unknown): ReadSelector {
  const s = selector as Partial<Record<string, unknown>> | null
  if (s?.kind === "current") return { kind: "current" }
  if (s?.kind === "version" && typeof s.id === "string") return { kind: "version", id: s.id }
  if (s?.kind === "at" && typeof s.time === "string" && !Number.isNaN(Date.parse(s.time))) return { kind: "at", time: s.time }
  throw failures.invalidSelector(secretId)
}

type Selection = ReturnType<typeof selectCurrent>
type SelectionFailure = Extract<Selection, { ok: false }>

function select(envelope: Envelope, selector: ReadSelector, now: Date): Selection {
  switch (selector.kind) {
    case "current":
      return selectCurrent(envelope, now)
    case "version":
      return selectVersion(envelope, selector.id, now)
    case "at":
      return selectAt(envelope, new Date(selector.time), now)
  }
}

function selectionFailure(secretId: string, envelope: Envelope, selector: ReadSelector, failure: SelectionFailure): Error {
  const versionId = failure.versionId ?? (selector.kind === "version" ? selector.id : envelope.current)
  switch (failure.code) {
    case "unknown_version":
      return failures.unknownVersion(secretId, versionId)
    case "version_expired":
      return failures.versionExpired(secretId, versionId, envelope.versions[versionId]?.expiresAt)
    case "no_version_at":
      return failures.noVersionAt(secretId, selector.kind === "at" ? new Date(selector.time).toISOString() : "the requested time")
  }
}

async function toWire(env: WorkerEnv, manifest: SecretManifest, at: { secretId: string; entry: SecretManifestEntry; versionId: string }, version: EnvelopeVersion): Promise<WireVersion> {
  const value = await openVersion(env, manifest, at, version)
  return { ...versionInfo(at.versionId, version), value }
}

function versionInfo(id: string, version: EnvelopeVersion): WireVersionInfo {
  const info: WireVersionInfo = { version: id }
  if (version.createdAt !== undefined) info.createdAt = version.createdAt
  if (version.expiresAt !== undefined) info.expiresAt = version.expiresAt
  return info
}
