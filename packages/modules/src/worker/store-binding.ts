/**
 * One Secrets Store binding's answer, read the same way for a secret, a pack and the sealing
 * key: a text, or why there is none.
 */

/** workerd's `SecretsStoreSecret` binding. */
export interface SecretsStoreSecret {
  get(): Promise<string>
}

export type WorkerEnv = Record<string, unknown>

export type StoreRead = { ok: true; text: string } | { ok: false; reason: "unbound" | "missing" | "unreachable" }

/**
 * `get()` on a Secrets Store binding. Miniflare throws `Secret "<name>" not found` for a
 * missing value; Cloudflare's wording is undocumented, so a failure mentioning "not found"
 * counts as missing and any other as the store being unreachable.
 */
export async function getStoredText(env: WorkerEnv, binding: string): Promise<StoreRead> {
  const secret = env[binding] as Partial<SecretsStoreSecret> | undefined
  if (typeof secret?.get !== "function") return { ok: false, reason: "unbound" }
  try {
    const text: unknown = await secret.get()
    return typeof text === "string" ? { ok: true, text } : { ok: false, reason: "unreachable" }
  } catch (error) {
    return { ok: false, reason: /not found/i.test(error instanceof Error ? error.message : "") ? "missing" : "unreachable" }
  }
}

