/**
 * The environment's sealing key pair (DESIGN §7). The private half is written once into the
 * store as `layeron/sealing-key` and forgotten; the public half sits in the rotation state
 * (`public-key.json`) so that every later write can seal a copy of what it wrote.
 *
 * The two halves must stay a pair: a sealed copy made with a public key whose private half
 * is not in the store can never be opened, and replacing a private half that something was
 * sealed to makes those versions unreadable. So a new pair is written in three steps:
 * the public file marked `pending` (never used for sealing), the private half into the
 * store, then the public file without the mark. A run killed anywhere in between leaves a
 * pending file, and the next run starts the three steps again with a fresh pair. A private
 * half in the store without a public file, or a public file without its private half, is
 * refused: only a person can tell whether the other half can be restored.
 */
import { mkdir } from "node:fs/promises"
import { dirname } from "node:path"
import { generateSealingKeyPair, publicKeyFingerprint } from "@layeron/modules/seal"
import { LayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { SecretText } from "../providers/provider.js"
import type { SecretMetadata, SecretProvider } from "../providers/provider.js"
import { publicKeyPath } from "./paths.js"
import { crashPoint } from "../testing/crash-point.js"
import { PUBLIC_KEY_FORMAT } from "./types.js"
import type { PublicKeyFile } from "./types.js"
import { readTextIfExists } from "../fs/read-if-exists.js"

export interface SealingContext {
  projectRoot: string
  environment: string
  provider: SecretProvider
  /** Physical name of `layeron/sealing-key` in this environment. */
  sealingKeyName: string
}

export async function readPublicKey(projectRoot: string, environment: string): Promise<PublicKeyFile | undefined> {
  const path = publicKeyPath(projectRoot, environment)
  const text = await readTextIfExists(path)
  if (text === undefined) return undefined
  let data: PublicKeyFile
  try {
    data = JSON.parse(text) as PublicKeyFile
  } catch {
    data = {} as PublicKeyFile
  }
  if (data.format !== PUBLIC_KEY_FORMAT || typeof data.publicKey !== "object" || data.publicKey === null || typeof data.physicalName !== "string" || (data.pending !== undefined && data.pending !== true)) {
    throw new LayerError("invalid_state", `sealing public key ${path} is invalid`, {
      hint: `restore it from version control (git checkout -- ${path})`,
      details: { file: path },
    })
  }
  return data
}

export type SealingKeyStatus =
  /** Both halves present. */
  | { kind: "ready"; publicKey: PublicKeyFile }
  /** No pair yet (or one whose creation was interrupted): the first write creates it. */
  | { kind: "absent" }

/**
 * Where the pair stands, without writing anything (plans use it too). `stored` is the
 * provider's metadata of the private half when the caller already listed the store.
 * Throws when one half is missing.
 */
export async function checkSealingKey(context: SealingContext, stored?: SecretMetadata | null): Promise<SealingKeyStatus> {
  const file = await readPublicKey(context.projectRoot, context.environment)
  if (file?.pending) return { kind: "absent" }
  const inStore = stored === undefined ? await context.provider.find(context.sealingKeyName) : (stored ?? undefined)
  if (file && inStore) return { kind: "ready", publicKey: file }
  if (file) throw privateHalfMissing(context)
  if (inStore) throw publicHalfMissing(context)
  return { kind: "absent" }
}

/**
 * The public key, creating the pair on first need (see the file comment for the order of
 * writes). Callers hold the environment lock, so two writers never create two pairs.
 */
export async function ensureSealingKey(context: SealingContext, options: { stored?: SecretMetadata | null; now?: Date } = {}): Promise<PublicKeyFile> {
  const existing = await readPublicKey(context.projectRoot, context.environment)
  if (existing && !existing.pending) return existing
  const status = await checkSealingKey(context, options.stored)
  if (status.kind === "ready") return status.publicKey
  const pair = await generateSealingKeyPair()
  const file: PublicKeyFile = {
    format: PUBLIC_KEY_FORMAT,
    environment: context.environment,
    physicalName: context.sealingKeyName,
    publicKey: pair.publicKey,
    fingerprint: await publicKeyFingerprint(pair.publicKey),
    createdAt: (options.now ?? new Date()).toISOString(),
  }
  await writePublicKey(context, { ...file, pending: true })
  crashPoint("sealing-key-pending")
  await context.provider.upsert(context.sealingKeyName, new SecretText(JSON.stringify(pair.privateKey)))
  crashPoint("sealing-key-stored")
  await writePublicKey(context, file)
  return file
}

async function writePublicKey(context: SealingContext, file: PublicKeyFile): Promise<void> {
  const path = publicKeyPath(context.projectRoot, context.environment)
  await mkdir(dirname(path), { recursive: true })
  await writeFileAtomic(path, JSON.stringify(file, null, 2) + "\n")
}

function privateHalfMissing(context: SealingContext): LayerError {
  const path = publicKeyPath(context.projectRoot, context.environment)
  return new LayerError(
    "sealing_key_missing",
    `the sealing key ${context.sealingKeyName} (layeron/sealing-key) of environment "${context.environment}" is missing from the store, so the versions sealed to ${path} can no longer be opened`,
    {
      hint:
        "restore the secret from a backup if you have one; otherwise start new histories: delete " +
        `${dirname(path)} (older versions become unreadable) and run the command again, with --discard-history for rotations`,
      details: { secret: context.sealingKeyName, file: path },
    },
  )
}

function publicHalfMissing(context: SealingContext): LayerError {
  const path = publicKeyPath(context.projectRoot, context.environment)
  return new LayerError(
    "sealing_key_public_missing",
    `the sealing key ${context.sealingKeyName} (layeron/sealing-key) of environment "${context.environment}" is in the store, but its public half ${path} is missing`,
    {
      hint:
        `\`git pull\` if a teammate or CI created it, else restore ${path} from version control (git checkout -- ${path}); a new key pair would make every sealed version in the store unreadable. ` +
        `Only if nothing was ever rotated or set in "${context.environment}": \`layer secret delete layeron/sealing-key --force\`, then run the command again`,
      details: { secret: context.sealingKeyName, file: path },
    },
  )
}
