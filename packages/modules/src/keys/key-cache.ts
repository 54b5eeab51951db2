/**
 * Imported CryptoKeys, memoized by what they were imported from (the key text, the algorithm
 * and the use). Content-keyed like the product's own memos: the value is read afresh on every
 * call, so a rotation is seen at once, and only the import (the costly part for RSA) is
 * skipped when the same text comes back. Values, not promises, are kept: workerd does not let
 * one request await a promise created by another.
 */
const MAX_ENTRIES = 64
const keys = new Map<string, CryptoKey>()

export async function cachedKey(cacheKey: string, importKey: () => Promise<CryptoKey>): Promise<CryptoKey> {
  const hit = keys.get(cacheKey)
  if (hit) return hit
  const key = await importKey()
  if (keys.size >= MAX_ENTRIES) keys.delete(keys.keys().next().value!)
  keys.set(cacheKey, key)
  return key
}
