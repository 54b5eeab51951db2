/**
 * What the store really holds against what the rotation state says it holds. The store is
 * read through the test-only doors (the local store decrypted with the user's key, the
 * emulator's value backdoor); sealed copies in the state are opened with the environment's
 * sealing private key, itself read from the store. This is how the crash and fault matrices
 * count lost versions instead of trusting the CLI's own account of what it did.
 */
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { parseStoredValue } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import { unseal } from "@layeron/modules/seal"
import { stateDirOf } from "../../helpers/temp-project.mjs"
import { LocalSecretProvider } from "../../../packages/cli/src/providers/local/index.js"
import type { SecretState } from "../../../packages/cli/src/rotation/types.js"

export interface StoredSecret {
  name: string
  modified: string
  value: string
}

/** Every secret of a local environment, decrypted. */
export async function localStoreContents(projectRoot: string, home: string, environment = "dev"): Promise<Map<string, StoredSecret>> {
  const provider = new LocalSecretProvider({ projectRoot, environment, home, owner: { workspace: "acme", project: "shop" } })
  const metadata = await provider.listAll()
  if (metadata.length === 0) return new Map()
  const values = await provider.decryptAll()
  return new Map(metadata.map((entry) => [entry.name, { name: entry.name, modified: entry.modified, value: values.get(entry.name)?.reveal() ?? "" }]))
}

/** The state files of an environment, by physical name (public-key.json and the lock left out). */
export async function rotationStates(projectRoot: string, environment: string): Promise<Map<string, SecretState>> {
  const dir = stateDirOf(projectRoot, environment)
  const names = await readdir(dir).catch(() => [] as string[])
  const states = new Map<string, SecretState>()
  for (const name of names) {
    if (!name.endsWith(".json") || name === "public-key.json") continue
    const state = JSON.parse(await readFile(join(dir, name), "utf8")) as SecretState
    states.set(state.physicalName, state)
  }
  return states
}

export interface SecretAudit {
  physicalName: string
  /** A write-ahead intent still pending after the run that should have settled it. */
  pendingLeft: boolean
  /** The state's `provider.modified` equals the store's: a later rotation sees no foreign write. */
  modifiedMatches: boolean
  /** The store's current version is the state's current. */
  currentMatches: boolean
  /** Versions the store holds that the state cannot carry forward (missing, or a sealed copy of another value). */
  lost: string[]
  /** Versions the state records that the store does not hold (only meaningful when modified matches). */
  phantom: string[]
  /** The store's version ids, oldest first by number. */
  storeVersions: string[]
  storeCurrent: string | undefined
}

/**
 * Audit every declared secret that has state or a stored value. `sealingKeyName` is the
 * physical name of layeron/sealing-key; without it in the store, sealed copies cannot be
 * checked and every plain version counts as lost.
 */
export async function auditSecrets(store: Map<string, StoredSecret>, states: Map<string, SecretState>, sealingKeyName: string): Promise<SecretAudit[]> {
  const sealingKeyText = store.get(sealingKeyName)?.value
  const privateKey = sealingKeyText ? (JSON.parse(sealingKeyText) as JsonWebKey) : undefined
  const audits: SecretAudit[] = []
  for (const [physicalName, state] of states) {
    const stored = store.get(physicalName)
    const envelope = stored ? storedEnvelope(stored.value) : undefined
    const lost: string[] = []
    const phantom: string[] = []
    for (const [id, version] of Object.entries(envelope?.versions ?? {})) {
      const recorded = state.versions[id]
      if (!recorded) {
        lost.push(id)
        continue
      }
      if (version.sealed !== undefined) {
        if (version.sealed !== recorded.sealed) lost.push(id)
        continue
      }
      const opened = privateKey ? await unseal(privateKey, recorded.sealed, { physicalName, versionId: id }).catch(() => undefined) : undefined
      if (opened !== version.value) lost.push(id)
    }
    const modifiedMatches = stored !== undefined && state.provider.modified === stored.modified
    if (modifiedMatches) {
      for (const id of Object.keys(state.versions)) if (!envelope?.versions[id]) phantom.push(id)
    }
    audits.push({
      physicalName,
      pendingLeft: state.pending !== undefined,
      modifiedMatches,
      currentMatches: envelope !== undefined && envelope.current === state.current,
      lost,
      phantom,
      storeVersions: Object.keys(envelope?.versions ?? {}).sort(byVersionNumber),
      storeCurrent: envelope?.current,
    })
  }
  return audits
}

/** A healthy secret: settled, in step with the store, nothing lost or invented. */
export function isConsistent(audit: SecretAudit): boolean {
  return !audit.pendingLeft && audit.modifiedMatches && audit.currentMatches && audit.lost.length === 0 && audit.phantom.length === 0
}

export function describeAudit(audit: SecretAudit): string {
  const problems = [
    audit.pendingLeft ? "pending intent left" : "",
    audit.modifiedMatches ? "" : "state's modified differs from the store's",
    audit.currentMatches ? "" : `current differs (store ${audit.storeCurrent ?? "none"})`,
    audit.lost.length ? `lost ${audit.lost.join(",")}` : "",
    audit.phantom.length ? `phantom ${audit.phantom.join(",")}` : "",
  ].filter(Boolean)
  return `${audit.physicalName}: ${problems.join("; ") || "ok"} [store versions ${audit.storeVersions.join(",") || "none"}]`
}

function storedEnvelope(text: string): Envelope | undefined {
  try {
    return parseStoredValue(text).envelope
  } catch {
    return undefined
  }
}

function byVersionNumber(a: string, b: string): number {
  const number = (id: string) => Number(/^v(\d+)$/.exec(id)?.[1] ?? Number.MAX_SAFE_INTEGER)
  return number(a) - number(b) || (a < b ? -1 : 1)
}
