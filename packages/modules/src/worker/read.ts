/**
 * The two reads the Secret Product Worker serves: one version chosen by a selector, and
 * every active version. Each looks up the manifest, reads the envelope, lets `envelope/`
 * select at `now`, and opens sealed versions.
 */
import { selectActive, selectAt, selectCurrent, selectVersion } from "../envelope/index.js"
import type { Envelope, EnvelopeVersion } from "../envelope/index.js"
import { checkRegistered } from "./caller.js"
import { failures, ProductFailure } from "./failure.js"
import type { SecretManifest, SecretManifestEntry } from "./manifest.js"
import { openVersion } from "./open-version.js"
import type { ReadSelector, WireActive, WireVersion } from "./protocol.js"
import { readEnvelope } from "./stored-envelope.js"
import type { WorkerEnv } from "./stored-envelope.js"

/** `caller` is the backend the request comes from (worker/caller.ts); it is checked before anything is read. */
export async function readOne(env: WorkerEnv, manifest: SecretManifest, caller: string | undefined, secretId: string, selector: ReadSelector, now: Date): Promise<WireVersion> {
  const entry = lookup(manifest, caller, secretId)
  const checked = checkSelector(secretId, selector)
  if (checked.kind !== "current" && entry.expose === "current") {
    throw failures.exposeRefused(secretId, checked.kind === "version" ? `version("${checked.id}")` : "at(time)")
  }
  const envelope = await readEnvelope(env, secretId, entry)
  const selected = select(envelope, checked, now)
  if (!selected.ok) throw selectionFailure(secretId, envelope, checked, selected)
  return toWire(env, manifest, { secretId, entry, versionId: selected.id }, selected.version)
}

/**
 * Every active version. The current one must open (current() would fail the same way); an
 * older one that cannot be opened is left out and reported in `skipped` with its typed
 * error, so one bad sealed copy degrades active() instead of failing it as a whole.
 */
export async function readActive(env: WorkerEnv, manifest: SecretManifest, caller: string | undefined, secretId: string, now: Date): Promise<WireActive> {
  const entry = lookup(manifest, caller, secretId)
  if (entry.expose === "current") throw failures.exposeRefused(secretId, "active()")
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

function lookup(manifest: SecretManifest, caller: string | undefined, secretId: string): SecretManifestEntry {
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
  const wire: WireVersion = { version: at.versionId, value }
  if (version.createdAt !== undefined) wire.createdAt = version.createdAt
  if (version.expiresAt !== undefined) wire.expiresAt = version.expiresAt
  return wire
}
