/**
 * How a key-pair secret rotates, so that no relying party is surprised by a kid: a key is
 * published (in the envelope, hence in `active()` and the JWKS) one whole rotation before it
 * signs.
 *
 * A key-pair envelope holds, besides retained older keys, the current key (it signs) and the
 * **next** key: a version that is not current and has no `createdAt`. Each rotation at T
 * promotes the next key to current (its `createdAt` becomes T, the instant it starts
 * signing, so the due rule counts from there) and adds a freshly generated next key; the
 * previous current is retained or dropped as the rotation policy says, exactly as for any
 * secret. `current()` never returns the next key, so nothing signs with it before it has
 * been published for a whole rotation period (at least 7 days, far longer than any JWKS
 * cache); `active()` lists it, so the JWKS publishes it and a token could only verify
 * against it once it has signed.
 *
 * When there is no next key yet (the first value, a history discarded after a conflict, a
 * value written by hand), the rotation writes a new current and a new next at once: that new
 * current signs without having been published ahead, which only matters to a relying party
 * that already cached a JWKS of this secret. Pure; used by the CLI's plans and writes.
 */
import { transition } from "../envelope/transition.js"
import { validateEnvelope } from "../envelope/parse.js"
import { formatRfc3339 } from "../envelope/rfc3339.js"
import { compareVersionIds, nextVersionId } from "../envelope/version-id.js"
import type { Envelope, EnvelopeVersion, RetainOptions, VersionEntry } from "../envelope/types.js"

export interface SigningKeyRotation {
  /** The rotation instant. */
  at: Date
  /** What happens to the previous current key. */
  retain: RetainOptions
  /** The id of the first fresh key (one above every id the history knows). */
  newVersionId: string
  /** Freshly generated private JWKs: `freshKeysNeeded(before)` of them. */
  fresh: readonly string[]
}

/** The next key of a key-pair envelope: not current, no `createdAt`, an id after current's. */
export function nextKeyId(envelope: Envelope): string | undefined {
  let found: string | undefined
  for (const [id, version] of Object.entries(envelope.versions)) {
    if (id === envelope.current || version.createdAt !== undefined || compareVersionIds(id, envelope.current) <= 0) continue
    if (found === undefined || compareVersionIds(id, found) > 0) found = id
  }
  return found
}

/** 1 when the envelope already publishes a next key (only a new next is made), else 2. */
export function freshKeysNeeded(before: Envelope | undefined): 1 | 2 {
  return before !== undefined && nextKeyId(before) !== undefined ? 1 : 2
}

/** The envelope after rotating a key-pair secret at `input.at` (see the module comment). */
export function rotateSigningKeys(before: Envelope | undefined, input: SigningKeyRotation): Envelope {
  const needed = freshKeysNeeded(before)
  if (input.fresh.length !== needed) throw new RangeError(`rotateSigningKeys: expected ${needed} fresh key(s), got ${input.fresh.length}`)
  const next = before ? nextKeyId(before) : undefined
  let rotated: Envelope
  let newNextId: string
  if (before && next) {
    // Promote the published next key: it starts signing now.
    const { [next]: promoted, ...others } = before.versions
    rotated = transition({ current: before.current, versions: others }, { newVersionId: next, newEntry: entryOf(promoted!), at: input.at, retain: input.retain })
    newNextId = input.newVersionId
  } else {
    const entry = { value: input.fresh[0]! }
    rotated = before
      ? transition(before, { newVersionId: input.newVersionId, newEntry: entry, at: input.at, retain: input.retain })
      : validateEnvelope({ current: input.newVersionId, versions: { [input.newVersionId]: { ...entry, createdAt: formatRfc3339(input.at) } } })
    newNextId = nextVersionId(rotated)
  }
  const nextValue = input.fresh[needed - 1]!
  return validateEnvelope({ current: rotated.current, versions: { ...rotated.versions, [newNextId]: { value: nextValue } } }, input.at)
}

function entryOf(version: EnvelopeVersion): VersionEntry {
  return version.sealed !== undefined ? { sealed: version.sealed } : { value: version.value! }
}
