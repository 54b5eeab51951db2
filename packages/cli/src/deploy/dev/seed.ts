/**
 * Keeps miniflare's Secrets Store equal to the encrypted local store, for the secrets the
 * Secret Product Worker binds. Values pass from `decryptAll()` straight into miniflare's
 * admin API; only their SHA-256 is kept (in memory) to tell which ones changed.
 *
 * miniflare's admin `create(value)` writes the secret under its name whether or not it
 * exists, so it serves for updates too; a secret removed from the local store is deleted.
 */
import { createHash } from "node:crypto"
import type { Miniflare } from "miniflare"
import type { SecretText } from "../../providers/provider.js"

export interface SeedTarget {
  mf: Miniflare
  productWorkerName: string
  /** Physical secret name → its binding on the product Worker. */
  bindings: ReadonlyMap<string, string>
}

export class SecretSeeder {
  #target: SeedTarget
  /** Physical name → digest of the value last written into miniflare. */
  readonly #seeded = new Map<string, string>()

  constructor(target: SeedTarget) {
    this.#target = target
  }

  /** After `setOptions` with new bindings: every bound secret is written again. */
  retarget(target: SeedTarget): void {
    this.#target = target
    this.#seeded.clear()
  }

  /** Writes what changed; returns the physical names written or deleted. */
  async sync(values: ReadonlyMap<string, SecretText>): Promise<string[]> {
    const changed: string[] = []
    for (const [name, binding] of this.#target.bindings) {
      const value = values.get(name)
      if (value === undefined) {
        if (this.#seeded.has(name)) {
          await this.#delete(name, binding)
          this.#seeded.delete(name)
          changed.push(name)
        }
        continue
      }
      const digest = createHash("sha256").update(value.reveal()).digest("hex")
      if (this.#seeded.get(name) === digest) continue
      const admin = await this.#admin(binding)
      await admin.create(value.reveal())
      this.#seeded.set(name, digest)
      changed.push(name)
    }
    return changed
  }

  async #delete(name: string, binding: string): Promise<void> {
    const admin = await this.#admin(binding)
    for (const key of await admin.list()) {
      if (key.name === name && key.metadata?.uuid) await admin.delete(key.metadata.uuid)
    }
  }

  async #admin(binding: string) {
    const api = await this.#target.mf.getSecretsStoreSecretAPI(binding, this.#target.productWorkerName)
    return api()
  }
}
