/**
 * Canary values: unique, greppable strings put into every source a secret can come from.
 * A leak is the canary, or any encoding of it a careless line of code could print: base64
 * and base64url (at each of the three byte alignments, since an encoder may have been given
 * the canary inside a longer buffer), hex, and for base64url canaries the hex of the bytes
 * they decode to (what `.bytes()` of a random secret returns).
 */
import { randomBytes } from "node:crypto"

/**
 * A fresh canary: `CANARY` + a label + random letters, made of base64url characters so the
 * same canary fits a random secret, padded to a multiple of 4 (canonical base64url).
 * Tokens need 40+ characters of [A-Za-z0-9_-]; these have more.
 */
export function canary(label: string): string {
  const safeLabel = label.replace(/[^A-Za-z0-9]/g, "")
  const noise = randomBytes(24).toString("base64url").replace(/[-_]/g, "x")
  const text = `CANARY${safeLabel}Q${noise}`
  return text.padEnd(Math.ceil(text.length / 4) * 4, "A")
}

export interface CanaryForm {
  /** "plain", "base64@1", "hex", … */
  form: string
  needle: Buffer
}

/** The canary and its encodings, each as bytes to search for. */
export function canaryForms(value: string): CanaryForm[] {
  const bytes = Buffer.from(value, "utf8")
  const forms: CanaryForm[] = [
    { form: "plain", needle: bytes },
    { form: "hex", needle: Buffer.from(bytes.toString("hex"), "ascii") },
    { form: "HEX", needle: Buffer.from(bytes.toString("hex").toUpperCase(), "ascii") },
  ]
  for (const encoding of ["base64", "base64url"] as const) {
    for (let offset = 0; offset < 3; offset++) {
      const core = alignedCore(bytes, offset, encoding)
      if (core.length >= 8) forms.push({ form: `${encoding}@${offset}`, needle: Buffer.from(core, "ascii") })
    }
  }
  if (/^[A-Za-z0-9_-]+$/.test(value) && value.length % 4 !== 1) {
    const decoded = Buffer.from(value, "base64url")
    forms.push({ form: "decoded-hex", needle: Buffer.from(decoded.toString("hex"), "ascii") })
  }
  return forms
}

/**
 * The part of base64(prefix + bytes) that depends only on `bytes`, for a prefix of `offset`
 * bytes: whatever surrounds the canary, these characters appear if it was encoded there.
 */
function alignedCore(bytes: Buffer, offset: number, encoding: "base64" | "base64url"): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes])
  const encoded = padded.toString(encoding).replace(/=+$/, "")
  const skipStart = Math.ceil((offset * 4) / 3)
  // The last group may mix canary bits with whatever follows: drop it.
  const usableBytes = offset + bytes.length - ((offset + bytes.length) % 3)
  const end = (usableBytes / 3) * 4
  return encoded.slice(skipStart, end)
}

export interface Leak {
  /** Which canary (its label, never the value). */
  canary: string
  form: string
  /** stdout, stderr, a file path relative to the scanned root, … */
  where: string
}

/** A set of canaries under test, by label. */
export class CanarySet {
  readonly #forms = new Map<string, CanaryForm[]>()

  /** Register `value` under `label` (made unique: a label used twice gets `#2`, `#3`, …). */
  add(label: string, value: string): string {
    let unique = label
    for (let n = 2; this.#forms.has(unique); n++) unique = `${label}#${n}`
    this.#forms.set(unique, canaryForms(value))
    return value
  }

  /** A fresh canary, registered under `label`. */
  make(label: string): string {
    return this.add(label, canary(label))
  }

  get size(): number {
    return this.#forms.size
  }

  /** Every (canary, form) found in `data`. */
  find(data: Buffer | string, where: string): Leak[] {
    const haystack = typeof data === "string" ? Buffer.from(data, "utf8") : data
    const leaks: Leak[] = []
    for (const [label, forms] of this.#forms) {
      for (const { form, needle } of forms) {
        if (haystack.includes(needle)) leaks.push({ canary: label, form, where })
      }
    }
    return leaks
  }
}
