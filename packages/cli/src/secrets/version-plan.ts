/**
 * What a value given to `secret set` or `secret import` does to the versions the secret holds
 * (docs/design.md#values, "no write drops a readable version unless asked"). Pure: the caller
 * reads what the store holds as far as this checkout can vouch (rotation/write-next.ts) and
 * gets back the envelope to write and, per version, what happens to it.
 *
 * - A plain value for a declared secret with a `rotation` policy becomes the next version
 *   `v<N+1>` through the same `transition()` a scheduled rotation uses: the previous current
 *   is kept, given its `expiresAt` or dropped as the policy says, expired versions go, and the
 *   others ride along as the sealed copies from the rotation state.
 * - Any other write (a plain value without a policy, a whole envelope) is stored as given; if
 *   that leaves out a version that is still readable, it is refused with
 *   `versions_would_be_lost`, unless `--replace-all`. A plain value replaces the current
 *   version (that is what setting a value means); an envelope must list every readable one.
 * - A secret in the store that this checkout's rotation state cannot vouch for (written
 *   elsewhere, or no state) has versions nobody here can see: a plain value on a secret that
 *   keeps history is refused, as a scheduled rotation would be (`conflict`).
 */
import { checkSize, isExpired, nextVersionId, serializedByteLength, transition, TransitionError, versionIdsOldestFirst } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { LayerError } from "../errors.js"
import { groupThousands } from "../output/numbers.js"
import type { InspectedValue } from "./inspect.js"

/** What the store holds before the write, as far as this checkout knows. */
export type StoreBasis =
  /** Not in the store. `knownIds`: ids the state remembers, so new ids never reuse one. */
  | { kind: "absent"; knownIds: readonly string[] }
  /** In the store and the rotation state vouches for it (same `modified`, anchor checked): its versions, sealed. */
  | { kind: "known"; envelope: Envelope; currentDigest?: string }
  /** In the store, but written outside this checkout's state (or it has none). */
  | { kind: "unknown"; knownIds: readonly string[]; modified: string }

export interface VersionChanges {
  /** Version ids after the write, oldest first. */
  versions: string[]
  /** The current version after the write. */
  current: string
  /** Versions whose value this write supplies (the value given, or every version of a given envelope). */
  written: string[]
  /** Readable versions before that stay, with the value they held (oldest first). */
  kept: string[]
  /** Versions that carry an expiry after the write, and when. */
  expiring: Array<{ id: string; expiresAt: string }>
  /** Readable versions before that the write leaves out. */
  dropped: string[]
  /** Readable versions before whose id the write reuses with the value given (a plain value over v1): their old value is gone too. */
  replaced: string[]
}

export interface VersionPlan {
  /** The envelope the write stores (carried versions sealed). */
  envelope: Envelope
  /** True when the text to send is the value as given; false when it is `envelope` serialized. */
  asGiven: boolean
  changes: VersionChanges
  /**
   * How the write treats the versions: `next_version` (the policy's transition), `as_given`,
   * `replace_all`, or `unchanged`: the current version already holds the value (recognised by
   * its digest), so nothing is written (a rerun after a crash adds no second version).
   */
  mode: "next_version" | "as_given" | "replace_all" | "unchanged"
}

/** What a value write did (or, in a dry run, would do) to a secret's versions, as `secret set` and `secret import` report it. */
export interface VersionReport {
  /** How the write treats the versions: `next_version` (the rotation policy's transition), `as_given`, `replace_all`, `unchanged`. */
  mode: VersionPlan["mode"]
  /** Version ids stored after the write, oldest first. */
  versions: string[]
  current: string
  /** Versions whose value the write supplies. */
  written: string[]
  /** Readable versions before the write that stay, with their values. */
  kept: string[]
  /** Versions carrying an expiry after the write. */
  expiring: VersionChanges["expiring"]
  /** Readable versions before the write that it removes (only with a policy that drops them, or --replace-all). */
  dropped: string[]
  /** Readable versions before whose id the write reuses with its value (a plain value replacing v1). */
  replaced: string[]
}

export interface VersionPlanInput {
  /** The declaration, or undefined for an undeclared Cloudflare secret. */
  declaration: SecretDeclaration | undefined
  inspected: InspectedValue
  basis: StoreBasis
  now: Date
  replaceAll: boolean
  /** How the secret is shown in messages (`lo_… (auth/session-key)`). */
  label: string
  /** The keyed digest of the value given (secrets/fingerprint.ts, digestValue), to recognise a value the current version holds. */
  digest?: string
}

export function planVersions(input: VersionPlanInput): VersionPlan {
  const { declaration, inspected, basis, now } = input
  const readable = readableBefore(basis, now)
  if (input.replaceAll) return asGiven(inspected, readable, "replace_all")

  if (declaration?.rotation && inspected.kind === "plain") {
    if (basis.kind === "unknown" && declaration.rotation.retain.mode !== "none") throw unknownVersions(input.label, basis.modified)
    if (basis.kind === "known" && input.digest !== undefined && basis.currentDigest === input.digest) {
      return { envelope: basis.envelope, asGiven: false, changes: changesOf(basis.envelope, [], readable), mode: "unchanged" }
    }
    return nextVersion(declaration, inspected, basis, now, readable)
  }

  const plan = asGiven(inspected, readable, "as_given")
  // A plain value replaces the current version whatever its id (that is what setting a value
  // means) and reads as v1, so every other readable version is lost, v1 included.
  const lost = inspected.kind === "plain" ? readable.ids.filter((id) => id !== readable.current) : plan.changes.dropped
  if (lost.length > 0) throw versionsWouldBeLost(input.label, lost, plan, inspected.kind, readable)
  return plan
}

function nextVersion(declaration: SecretDeclaration, inspected: InspectedValue, basis: StoreBasis, now: Date, readable: Readable): VersionPlan {
  const value = inspected.envelope.versions[inspected.envelope.current]!.value!
  const before = basis.kind === "known" ? basis.envelope : undefined
  const knownIds = basis.kind === "known" ? Object.keys(basis.envelope.versions) : basis.knownIds
  const newVersionId = nextVersionId({ current: "", versions: Object.fromEntries(knownIds.map((id) => [id, { value: "" }])) })
  let envelope: Envelope
  try {
    envelope = before
      ? transition(before, { newVersionId, newEntry: { value }, at: now, retain: declaration.rotation!.retain })
      : { current: newVersionId, versions: { [newVersionId]: { value, createdAt: now.toISOString() } } }
  } catch (error) {
    // Its messages name ids and times only (a version created after now: a clock behind).
    if (!(error instanceof TransitionError)) throw error
    throw new LayerError("version_transition_failed", `the new version cannot follow the versions ${declaration.id} holds: ${error.message}; nothing was written`, {
      hint: "check this machine's clock against the createdAt of the newest version (`layer secret list`), then run again",
    })
  }
  // A first value that reads as v1 anyway is sent as given (plain text stays plain for readers outside Layeron).
  const plainSuffices = before === undefined && newVersionId === "v1"
  return { envelope, asGiven: plainSuffices, changes: changesOf(envelope, [newVersionId], readable), mode: "next_version" }
}

function asGiven(inspected: InspectedValue, readable: Readable, mode: VersionPlan["mode"]): VersionPlan {
  const envelope = inspected.envelope
  const written = versionIdsOldestFirst(envelope)
  return { envelope, asGiven: true, changes: changesOf(envelope, written, readable), mode }
}

function changesOf(after: Envelope, written: readonly string[], readable: Readable): VersionChanges {
  const versions = versionIdsOldestFirst(after)
  const writtenSet = new Set(written)
  return {
    versions,
    current: after.current,
    written: [...written],
    kept: versions.filter((id) => readable.ids.includes(id) && !writtenSet.has(id)),
    expiring: versions.flatMap((id) => {
      const expiresAt = after.versions[id]!.expiresAt
      return expiresAt === undefined ? [] : [{ id, expiresAt }]
    }),
    dropped: readable.ids.filter((id) => !Object.hasOwn(after.versions, id)),
    replaced: readable.ids.filter((id) => writtenSet.has(id)),
  }
}

/** The versions readable now (not expired), oldest first, and which one is current. */
interface Readable {
  ids: string[]
  current: string | undefined
}

function readableBefore(basis: StoreBasis, now: Date): Readable {
  if (basis.kind !== "known") return { ids: [], current: undefined }
  const ids = versionIdsOldestFirst(basis.envelope).filter((id) => !isExpired(basis.envelope.versions[id]!, now))
  return { ids, current: basis.envelope.current }
}

/** The size of what a plan sends, refused over Cloudflare's limit before anything is written. */
export function checkPlannedSize(plan: VersionPlan, label: string): void {
  if (plan.asGiven) return
  const size = checkSize(serializedByteLength(plan.envelope))
  if (size.status !== "too_large") return
  throw new LayerError("value_too_large", `with the versions ${label} keeps, the envelope would be ${groupThousands(size.bytes)} bytes, over Cloudflare's ${groupThousands(size.limit)}-byte limit; nothing was written`, {
    hint: "keep fewer versions (a shorter retain_for), or pass --replace-all to store only the value given",
    details: { bytes: size.bytes, limit: size.limit },
  })
}

function versionsWouldBeLost(label: string, lost: readonly string[], plan: VersionPlan, kind: InspectedValue["kind"], readable: Readable): LayerError {
  const why =
    kind === "plain"
      ? "a plain value replaces the current version only, and this secret has no rotation policy that says what happens to the others"
      : `the envelope given lists ${plan.changes.versions.join(", ")}`
  return new LayerError(
    "versions_would_be_lost",
    `${label} holds ${lost.length === 1 ? "version" : "versions"} ${lost.join(", ")} that ${lost.length === 1 ? "is" : "are"} still readable, and this write would remove ${lost.length === 1 ? "it" : "them"} (${why}); nothing was written`,
    {
      hint: `write an envelope that keeps ${lost.join(", ")} (with an expiresAt if ${lost.length === 1 ? "it" : "they"} should go later), or pass --replace-all to replace every version (it asks; without a terminal add --yes)`,
      details: { versions: [...lost], readable: readable.ids },
    },
  )
}

function unknownVersions(label: string, modified: string): LayerError {
  return new LayerError(
    "versions_would_be_lost",
    `${label} keeps older versions (rotation.retain), but it was written outside this checkout's rotation state (the store says modified ${modified}), so the versions it holds cannot be carried and this write would remove them; nothing was written`,
    {
      hint: "if a teammate or CI wrote it, `git pull` the rotation state and run again; or pass --replace-all to replace every version (it asks; without a terminal add --yes)",
      details: { versions: [], unknown: true },
    },
  )
}

/**
 * One line per secret for the human output and the import dry run, newest first:
 * `v3 new, current · v2 kept until 2026-06-15T00:00:00.000Z · v1 dropped`.
 */
export function describeChanges(changes: VersionChanges): string {
  const expiring = new Map(changes.expiring.map((entry) => [entry.id, entry.expiresAt]))
  const parts = [...changes.versions].reverse().map((id) => {
    const what = changes.written.includes(id) ? "new" : "kept"
    const until = expiring.get(id)
    return `${id} ${what}${id === changes.current ? ", current" : ""}${until ? ` until ${until}` : ""}`
  })
  for (const id of [...changes.dropped].reverse()) parts.push(`${id} dropped`)
  return parts.join(" · ")
}
