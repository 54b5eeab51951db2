/**
 * One secret of the local store: `.layeron/local/<env>/<name>.json`.
 *
 * `layeron.local/v2` (written since integrity anchors): the ciphertext holds
 * `{"value", "comment"?}`, so the comment (the anchor, as Cloudflare keeps it in a secret's
 * metadata) is as private and as tamper-proof as the value, and the associated data binds
 * workspace, project, environment, name, id and modified. `layeron.local/v1` records (the
 * raw value, the name as associated data, no comment) are still read; the next write of
 * the secret replaces them with v2.
 */
import { LayerError } from "../../errors.js"

export const LOCAL_RECORD_FORMAT = "layeron.local/v2"
export const LEGACY_RECORD_FORMAT = "layeron.local/v1"

export interface LocalRecord {
  format: typeof LOCAL_RECORD_FORMAT | typeof LEGACY_RECORD_FORMAT
  name: string
  /** 32 hex digits, stable across updates (as Cloudflare's ids are). */
  id: string
  created: string
  /** ISO time with milliseconds; strictly increases on every write of this secret. */
  modified: string
  /** base64 of AES-256-GCM iv | ciphertext | tag (cipher.ts). */
  ciphertext: string
}

/** What a v2 ciphertext holds. */
export interface RecordPayload {
  value: string
  comment?: string
}

/** Whose store the record belongs to: part of the associated data. */
export interface RecordOwner {
  workspace: string
  project: string
  environment: string
}

export function associatedData(record: Pick<LocalRecord, "format" | "name" | "id" | "modified">, owner: RecordOwner): string {
  if (record.format === LEGACY_RECORD_FORMAT) return record.name
  return JSON.stringify([LOCAL_RECORD_FORMAT, owner.workspace, owner.project, owner.environment, record.name, record.id, record.modified])
}

export function encodePayload(payload: RecordPayload): string {
  return JSON.stringify(payload.comment === undefined ? { value: payload.value } : { value: payload.value, comment: payload.comment })
}

/** The payload of a decrypted record; undefined when a v2 plaintext is not the expected shape. */
export function decodePayload(format: LocalRecord["format"], plaintext: string): RecordPayload | undefined {
  if (format === LEGACY_RECORD_FORMAT) return { value: plaintext }
  try {
    const data = JSON.parse(plaintext) as unknown
    if (typeof data !== "object" || data === null) return undefined
    const { value, comment } = data as Record<string, unknown>
    if (typeof value !== "string" || (comment !== undefined && typeof comment !== "string")) return undefined
    return comment === undefined ? { value } : { value, comment }
  } catch {
    return undefined
  }
}

export function serializeRecord(record: LocalRecord): string {
  const { format, name, id, created, modified, ciphertext } = record
  return `${JSON.stringify({ format, name, id, created, modified, ciphertext }, null, 2)}\n`
}

/** Parse a record file; `expectedName` comes from the file name and must match. */
export function parseRecord(text: string, file: string, expectedName: string): LocalRecord {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw corrupt(file, "it is not JSON")
  }
  if (typeof data !== "object" || data === null) throw corrupt(file, "it is not a JSON object")
  const record = data as Record<string, unknown>
  if (record.format !== LOCAL_RECORD_FORMAT && record.format !== LEGACY_RECORD_FORMAT) throw corrupt(file, `"format" is not "${LOCAL_RECORD_FORMAT}"`)
  for (const field of ["name", "id", "created", "modified", "ciphertext"] as const) {
    if (typeof record[field] !== "string" || record[field] === "") throw corrupt(file, `"${field}" is missing`)
  }
  if (record.name !== expectedName) throw corrupt(file, `"name" does not match the file name`)
  for (const field of ["created", "modified"] as const) {
    if (Number.isNaN(Date.parse(record[field] as string))) throw corrupt(file, `"${field}" is not a time`)
  }
  return record as unknown as LocalRecord
}

function corrupt(file: string, what: string): LayerError {
  return new LayerError("local_store_corrupt", `${file} is not a valid local secret record: ${what}`, {
    hint: `move it aside, keeping it (\`mv ${file} ${file}.corrupt\`: a name the store does not read), and set the secret again with \`layer secret set\``,
  })
}
