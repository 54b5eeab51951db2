/**
 * `t.rotate(module)`: one rotation as `layer secret rotate --apply` writes it for a due
 * secret, through the same `envelopeAfterWrite()`: a fresh value (random bytes of the
 * declared size, or a private JWK for `generate`) becomes `v<N+1>` at the test's `now`, and
 * `envelope/transition.ts` applies the declared retention (the previous current expires
 * after `retain_for` days, stays under `retain_forever`, is dropped under `none`; versions
 * already expired are dropped). A key pair promotes its published next key and publishes a
 * new one. A generated secret with no value gets its first version.
 */
import { checkSize, describeTransition, formatRfc3339, nextVersionId, parseStoredValue, serializedByteLength, serializeEnvelope, TransitionError } from "../envelope/index.js"
import type { Envelope } from "../envelope/index.js"
import { envelopeAfterWrite, freshValues, freshValuesNeeded } from "../keys/fresh-values.js"
import { isSecretModule } from "../secret.js"
import { describeInput, TestSecretsError } from "./errors.js"
import type { StoredSecret } from "./values.js"

/** What a rotation did, in the words of `layer secret rotate`'s plan (version ids oldest first). */
export interface TestRotation {
  /** The new current version. */
  version: string
  /** Its createdAt: the test's `now`. */
  createdAt: string
  /** Versions that did not exist before: the new current, and a key pair's new next key. */
  added: string[]
  /** Versions present before and after. */
  kept: string[]
  /** Versions that carry an expiry after the rotation, with when. */
  expiring: Array<{ id: string; expiresAt: string }>
  /** Versions present before and gone after (expired, or the previous current under `none`). */
  dropped: string[]
}

export async function rotateStored(module: unknown, store: Map<string, StoredSecret>, at: Date): Promise<TestRotation> {
  if (!isSecretModule(module)) {
    throw new TestSecretsError("not_rotatable", `t.rotate(module): expected a secret module made by secret.random() or secret.generated(), got ${describeInput(module)}.`)
  }
  const declaration = module.declaration
  const call = `t.rotate(${declaration.id})`
  if (declaration.kind === "static") {
    throw new TestSecretsError(
      "not_rotatable",
      `${call}: "${declaration.id}" is a static secret, and static secrets do not rotate (the operator owns the value). To test a new value, give it to testSecrets(); in production write it with \`layer secret set ${declaration.id}\`.`,
    )
  }
  if (declaration.rotation === undefined) {
    throw new TestSecretsError("not_rotatable", `${call}: "${declaration.id}" declares no rotation policy; add rotation: { everyDays, retain } to its declaration.`)
  }
  const stored = store.get(declaration.id)
  if (stored === undefined) {
    throw new TestSecretsError("no_value", `${call}: "${declaration.id}" was not given to testSecrets(); add it with its current value (or null for a generated secret with no value yet).`)
  }
  if (stored.text === null && declaration.kind === "random") {
    throw new TestSecretsError("no_value", `${call}: "${declaration.id}" has no value, and a random secret's first value comes from \`layer deploy\`, not from a rotation; give it a value in testSecrets().`)
  }

  const before = stored.text === null ? undefined : parseStoredValue(stored.text).envelope
  // As the CLI numbers it: one above every id the envelope knows.
  const newVersionId = nextVersionId(before ?? { current: "", versions: {} })
  const fresh = await freshValues(declaration, freshValuesNeeded(declaration, before))
  let after: Envelope
  try {
    after = envelopeAfterWrite(declaration, before, newVersionId, at, fresh)
  } catch (error) {
    if (error instanceof TransitionError) throw new TestSecretsError("not_rotatable", `${call}: ${error.message}`)
    throw error
  }
  const size = checkSize(serializedByteLength(after))
  if (size.status === "too_large") {
    throw new TestSecretsError("not_rotatable", `${call}: the rotated envelope would be ${size.bytes} bytes, over Cloudflare's ${size.limit}-byte limit; keep fewer versions (a shorter retain_for).`)
  }

  store.set(declaration.id, { text: serializeEnvelope(after), declaration })
  const summary = before ? describeTransition(before, after) : { kept: [], expiring: [], dropped: [], added: Object.keys(after.versions) }
  return { version: after.current, createdAt: formatRfc3339(at), added: summary.added, kept: summary.kept, expiring: summary.expiring, dropped: summary.dropped }
}
