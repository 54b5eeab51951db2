/**
 * Cloudflare's response envelope: `{success, errors, messages, result, result_info?}`.
 * On failure `result` is null; `result_info` appears only on list endpoints.
 */
import type { CfMessage } from "./api-error.js"

export interface ResultInfo {
  count: number
  page: number
  per_page: number
  total_count: number
  /** Not in the Secrets Store schema (FACTS.md 2.11): sent there only under `schema: "legacy"`. */
  total_pages?: number
}

export interface Envelope {
  success: boolean
  errors: CfMessage[]
  messages: CfMessage[]
  result: unknown
  result_info?: ResultInfo
}

export function successEnvelope(result: unknown, resultInfo?: ResultInfo, messages: CfMessage[] = []): Envelope {
  const envelope: Envelope = { success: true, errors: [], messages, result }
  if (resultInfo !== undefined) envelope.result_info = resultInfo
  return envelope
}

export function failureEnvelope(errors: CfMessage[]): Envelope {
  return { success: false, errors, messages: [], result: null }
}
