/** One secret of the local store: `.layeron/local/<env>/<name>.json`. */
import { LayerError } from "../../errors.js"

export const LOCAL_RECORD_FORMAT = "layeron.local/v1"

export interface LocalRecord {
  format: typeof LOCAL_RECORD_FORMAT
  name: string
  /** 32 hex digits, stable across updates (as Cloudflare's ids are). */
  id: string
  created: string
  /** ISO time with milliseconds; strictly increases on every write of this secret. */
  modified: string
  /** base64 of AES-256-GCM iv | ciphertext | tag, with the name as associated data. */
  ciphertext: string
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
  if (record.format !== LOCAL_RECORD_FORMAT) throw corrupt(file, `"format" is not "${LOCAL_RECORD_FORMAT}"`)
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
    hint: "delete the file and set the secret again with `layer secret set`",
  })
}
