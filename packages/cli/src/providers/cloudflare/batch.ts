/**
 * Creating several secrets in one request (`createMany`). Cloudflare's create endpoint takes a
 * list (FACTS.md 2.3), so N new secrets are one POST instead of N. Whether Cloudflare applies
 * that list all or nothing is not documented: a refusal (a name taken meanwhile, the quota)
 * may have left some created. So after any failure the store is read back, and the error says
 * exactly which of the names sent are in the store now, which are not, and which could not be
 * checked. (A name that was there before the request counts as in the store: callers send
 * names they have just listed as absent, so for them "in the store" means "landed".)
 */
import { LayerError, isLayerError } from "../../errors.js"
import type { BatchOutcome, NewSecretEntry } from "../provider.js"

/** The names sent, split by what the store holds after the failed request. `present` undefined: the check failed. */
export function batchOutcome(names: readonly string[], present: ReadonlySet<string> | undefined): BatchOutcome {
  if (present === undefined) return { landed: [], notLanded: [], unknown: [...names] }
  return { landed: names.filter((name) => present.has(name)), notLanded: names.filter((name) => !present.has(name)), unknown: [] }
}

/** The failure of a batch, with what landed in words and in `details.batch`; the cause's code is kept. */
export function batchFailure(cause: unknown, entries: readonly NewSecretEntry[], outcome: BatchOutcome): LayerError {
  const code = isLayerError(cause) ? cause.code : "cloudflare_api_error"
  const why = cause instanceof Error ? cause.message : String(cause)
  const parts = [
    outcome.landed.length ? `in the store now: ${list(outcome.landed)}` : undefined,
    outcome.notLanded.length ? `not in the store: ${list(outcome.notLanded)}` : undefined,
    outcome.unknown.length ? `not known whether in the store (it could not be read back): ${list(outcome.unknown)}` : undefined,
  ].filter((part): part is string => part !== undefined)
  const hint = isLayerError(cause) && cause.hint ? `${cause.hint}; ` : ""
  return new LayerError(code, `the bulk creation of ${entries.length} secret${entries.length === 1 ? "" : "s"} failed (${why}); ${parts.join("; ")}`, {
    hint: `${hint}running the command again creates what is missing and updates what landed (\`layer secret list\` shows what is there)`,
    details: { batch: outcome, ...(isLayerError(cause) ? cause.details : {}) },
    cause,
  })
}

function list(names: readonly string[]): string {
  return names.length > 10 ? `${names.slice(0, 10).join(", ")} and ${names.length - 10} more` : names.join(", ")
}
