/**
 * Cloudflare's documented limits on what one upload may carry, checked before anything is
 * written so a plan that cannot deploy fails as a plan, not halfway through apply:
 * - a variable (`plain_text`, `json` binding) holds at most 5 KB (Workers platform limits);
 * - a Worker is at most 10 MB after compression on the Paid plan, 3 MB on Free (same page).
 * No limit on the number of Secrets Store bindings is documented; the live suite uploads a
 * Worker with 100 of them (test/live/cloudflare.live.test.ts).
 */
import { gzipSync } from "node:zlib"
import { LayerError } from "../errors.js"
import type { WorkerScript } from "./workers.js"

export const MAX_VARIABLE_BYTES = 5 * 1024
export const MAX_COMPRESSED_BYTES_PAID = 10 * 1024 * 1024
export const MAX_COMPRESSED_BYTES_FREE = 3 * 1024 * 1024

export interface UploadSize {
  /** gzip of the module and the metadata, Cloudflare's measure. */
  compressedBytes: number
}

/** The first limit the upload breaks, as an error to show on its node; undefined when it fits. */
export function uploadLimitProblem(script: Pick<WorkerScript, "name" | "code" | "metadata">): LayerError | undefined {
  for (const binding of script.metadata.bindings as ReadonlyArray<{ type: string; name: string; text?: string; json?: unknown }>) {
    if (binding.type !== "plain_text" && binding.type !== "json") continue
    const bytes = Buffer.byteLength(binding.type === "json" ? JSON.stringify(binding.json) : (binding.text ?? ""))
    if (bytes > MAX_VARIABLE_BYTES) {
      return new LayerError("binding_too_large", `Worker ${script.name}: the variable ${binding.name} is ${bytes.toLocaleString("en-US")} bytes; Cloudflare allows ${MAX_VARIABLE_BYTES.toLocaleString("en-US")} per variable`, {
        hint: "this is a bug in layer (it ships no large variables): please report it",
      })
    }
  }
  const { compressedBytes } = uploadSize(script)
  if (compressedBytes > MAX_COMPRESSED_BYTES_PAID) {
    return new LayerError("worker_too_large", `Worker ${script.name} is ${mb(compressedBytes)} after compression; Cloudflare allows 10 MB (Workers Paid) and 3 MB (Free)`, {
      hint: "remove large dependencies from the backend, or keep data in KV, R2 or D1 instead of the bundle",
    })
  }
  return undefined
}

/** Above the Free plan's 3 MB: the upload works on Workers Paid only. */
export function exceedsFreePlan(script: Pick<WorkerScript, "code" | "metadata">): boolean {
  return uploadSize(script).compressedBytes > MAX_COMPRESSED_BYTES_FREE
}

export function uploadSize(script: Pick<WorkerScript, "code" | "metadata">): UploadSize {
  return { compressedBytes: gzipSync(Buffer.concat([Buffer.from(JSON.stringify(script.metadata)), Buffer.from(script.code)])).byteLength }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
