/**
 * A member's budget inputs for assign.ts: the bytes its envelope takes in a pack now, and the
 * reserve for its next rotation. From the rotation state when there is one (sealed copies are
 * the largest form a version takes), else estimated from the declaration.
 */
import type { SecretDeclaration } from "@layeron/modules/declare"
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretState } from "../rotation/types.js"
import type { MemberNeed } from "./assign.js"
import { memberByteLength } from "./format.js"

/** Plaintext bytes of one version's value, by what the declaration generates; static values are the operator's (assumed up to 1 KiB). */
function valueBytes(declaration: SecretDeclaration): number {
  if (declaration.generate === "RS256") return 1_800
  if (declaration.generate === "ES256") return 300
  if (declaration.generate === "EdDSA") return 200
  if (declaration.kind === "static") return 1_024
  return Math.ceil(((declaration.bytes ?? 32) * 4) / 3)
}

/** `ls1.` + 65-byte point + 12-byte iv + ciphertext with its 16-byte tag, base64url, plus the version's JSON and times. */
function sealedVersionBytes(plaintext: number): number {
  const b64 = (bytes: number) => Math.ceil((bytes * 4) / 3)
  return 4 + b64(65) + 1 + b64(12) + 1 + b64(plaintext + 16) + 110
}

export function memberNeed(declaration: SecretDeclaration, physicalName: string, state: SecretState | undefined): MemberNeed {
  if (state?.current !== undefined) {
    const envelope: Envelope = { current: state.current, versions: state.versions }
    const largest = Math.max(...Object.entries(state.versions).map(([id, version]) => Buffer.byteLength(JSON.stringify({ [id]: version }), "utf8")))
    return { secret: declaration.id, physicalName, bytes: memberByteLength(declaration.id, envelope), reserve: largest }
  }
  const one = sealedVersionBytes(valueBytes(declaration))
  // A key pair's first write holds two versions: the current key and the published next key.
  const versions = declaration.generate ? 2 : 1
  return { secret: declaration.id, physicalName, bytes: Buffer.byteLength(JSON.stringify(declaration.id), "utf8") + 30 + versions * one, reserve: one }
}
