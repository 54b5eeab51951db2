/**
 * Section "key-operations": hmac().sign, jwt().sign, jwt().verify, aead().encrypt and
 * aead().decrypt of 1 KiB on a key the app can use but never read (`expose: "use"`, run in
 * the Secret Product Worker) against the same helper in the app (`versioned`) and raw
 * WebCrypto with the key already imported, in workerd (bench/key-operations.mjs does the
 * work). The goal: `use` within 2x of in-app at p50.
 */
import { MODES, runKeyOperationsBench } from "../key-operations.mjs"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"

export const name = "key-operations"

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  let results
  try {
    results = await runKeyOperationsBench({ runs, samples: quick ? 15 : 40, batch: quick ? 10 : 20 })
  } catch (error) {
    return [notMeasuredRow({ section: name, measure: "use / in-app p50", goal: { atMost: 2, of: "median" }, reason: describeFailure(error) })]
  }
  const us = (ms) => `${Math.round(ms * 1000)} µs`
  return results.map((r) =>
    measuredRow({
      section: name,
      measure: `${r.operation}, use / in-app p50`,
      unit: "x",
      spread: r.useOverVersioned,
      runs: r.runs,
      goal: { atMost: 2, of: "median" },
      detail: `p50/p99 ${MODES.map((mode) => `${mode === "raw" ? "raw WebCrypto" : mode} ${us(r.p50[mode].median)}/${us(r.p99[mode].median)}`).join(", ")}`,
    }),
  )
}
