/**
 * The environment's sealing key pair (DESIGN §7). The private half is written once into the
 * store as `layeron/sealing-key` and forgotten; the public half sits in the rotation state so
 * that every later write can seal a copy of what it wrote.
 */
import { readFile } from "node:fs/promises"
import { generateSealingKeyPair, publicKeyFingerprint } from "@layeron/modules/seal"
import { LayerError } from "../errors.js"
import { writeFileAtomic } from "../fs/atomic.js"
import { SecretText } from "../providers/provider.js"
import type { SecretProvider } from "../providers/provider.js"
import { publicKeyPath } from "./paths.js"
import { PUBLIC_KEY_FORMAT } from "./types.js"
import type { PublicKeyFile } from "./types.js"

export interface SealingContext {
  projectRoot: string
  environment: string
  provider: SecretProvider
  /** Physical name of `layeron/sealing-key` in this environment. */
  sealingKeyName: string
}

export async function readPublicKey(projectRoot: string, environment: string): Promise<PublicKeyFile | undefined> {
  const path = publicKeyPath(projectRoot, environment)
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
  let data: PublicKeyFile
  try {
    data = JSON.parse(text) as PublicKeyFile
  } catch {
    data = {} as PublicKeyFile
  }
  if (data.format !== PUBLIC_KEY_FORMAT || typeof data.publicKey !== "object" || data.publicKey === null || typeof data.physicalName !== "string") {
    throw new LayerError("invalid_state", `sealing public key ${path} is invalid`, {
      hint: `restore it from version control (git checkout -- ${path})`,
      details: { file: path },
    })
  }
  return data
}

/**
 * The public key, creating the pair on first need. The private half goes to the provider
 * before the public file is written: a crash in between leaves no public key, so nothing is
 * ever sealed to a key whose private half was not stored.
 */
export async function ensureSealingKey(context: SealingContext): Promise<PublicKeyFile> {
  const existing = await readPublicKey(context.projectRoot, context.environment)
  if (existing) return existing
  const pair = await generateSealingKeyPair()
  await context.provider.upsert(context.sealingKeyName, new SecretText(JSON.stringify(pair.privateKey)))
  const file: PublicKeyFile = {
    format: PUBLIC_KEY_FORMAT,
    environment: context.environment,
    physicalName: context.sealingKeyName,
    publicKey: pair.publicKey,
    fingerprint: await publicKeyFingerprint(pair.publicKey),
    createdAt: new Date().toISOString(),
  }
  await writeFileAtomic(publicKeyPath(context.projectRoot, context.environment), JSON.stringify(file, null, 2) + "\n")
  return file
}

/**
 * Rotation needs the private half to be in the store too (the Secret Product Worker unseals
 * with it). A public key without its private secret means someone deleted the key: refuse.
 */
export async function requireSealingKey(context: SealingContext): Promise<PublicKeyFile> {
  const file = await readPublicKey(context.projectRoot, context.environment)
  const stored = await context.provider.find(context.sealingKeyName)
  if (file && stored) return file
  if (!file && !stored) return ensureSealingKey(context)
  throw new LayerError(
    "sealing_key_missing",
    file
      ? `the sealing key ${context.sealingKeyName} of environment "${context.environment}" is missing from the store`
      : `the sealing key ${context.sealingKeyName} exists in the store but ${publicKeyPath(context.projectRoot, context.environment)} is missing`,
    {
      hint: file
        ? "sealed versions can no longer be opened; restore the secret, or rotate with --discard-history to start a new history"
        : "restore public-key.json from version control",
    },
  )
}
