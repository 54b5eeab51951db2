/** Stand-in for @layeron/modules/naming's hashedName/canonicalNameInput until the runtime branch is merged. */
import { createHash } from "node:crypto"

export function canonicalNameInput(domain: string, parts: Record<string, string>, order: readonly string[], tail: readonly number[] = []): string {
  return JSON.stringify([domain, ...order.map((key) => parts[key]), ...tail])
}

export async function hashedName(canonical: string): Promise<string> {
  return `lo_${createHash("sha256").update(canonical, "utf8").digest("hex").slice(0, 24)}`
}
