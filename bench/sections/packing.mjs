/**
 * Section "packing" (issue 28): 100 declarations of one environment, packed against unpacked,
 * read in workerd through miniflare (bench/packed-reads.mjs does the work; this maps its
 * results into the table). The raw get() row shows what the store itself charges for fetching
 * a pack instead of one envelope, so a miss can be told apart from the product's own cost.
 */
import { runPackedReadsBench } from "../packed-reads.mjs"
import { describeFailure, measuredRow, notMeasuredRow } from "../lib/rows.mjs"

export const name = "packing"

/** @param {{ runs: number, quick: boolean }} options */
export async function run({ runs, quick }) {
  let r
  try {
    r = await runPackedReadsBench({ runs, n: quick ? 100 : 200, coldRounds: quick ? 5 : 20 })
  } catch (error) {
    return [notMeasuredRow({ section: name, measure: "packed / unpacked reads", reason: describeFailure(error) })]
  }
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`
  const one = (value) => ({ min: value, median: value, max: value })
  const sizes = r.packs.map((p) => `${p.members} members, ${(p.bytes / 1024).toFixed(1)} KiB`).join("; ")
  return [
    measuredRow({
      section: name,
      measure: `packs holding ${r.count} declarations`,
      unit: "count",
      spread: one(r.packs.length),
      runs: 1,
      goal: { atMost: 3, of: "max" },
      detail: `${r.physicalSecrets.packed} physical secrets with the sealing key, against ${r.physicalSecrets.unpacked} unpacked (${sizes})`,
    }),
    measuredRow({
      section: name,
      measure: "warm read, packed / unpacked",
      unit: "x",
      spread: r.warm.ratioPerRun,
      runs,
      goal: { atMost: 1.2, of: "median" },
      detail: `${us(r.warm.packedMsPerRead.median)} vs ${us(r.warm.unpackedMsPerRead.median)} per read, ${r.n} reads over the ${r.count} per run`,
    }),
    measuredRow({
      section: name,
      measure: "cold reads (every text new), packed / unpacked",
      unit: "x",
      spread: r.coldSweep.ratioPerRun,
      runs,
      goal: { atMost: 2, of: "median" },
      detail: `${us(r.coldSweep.packedMsPerRead.median)} vs ${us(r.coldSweep.unpackedMsPerRead.median)} per read, the ${r.count} read once after all were rotated`,
    }),
    measuredRow({
      section: name,
      measure: "cold read (first after one rotation), packed / unpacked",
      unit: "x",
      spread: r.cold.ratioPerRun,
      runs,
      goal: { atMost: 2, of: "median" },
      detail: `${us(r.cold.packedMsPerRead.median)} vs ${us(r.cold.unpackedMsPerRead.median)} per read, mean of ${r.coldRounds} rotations per run`,
    }),
    measuredRow({
      section: name,
      measure: "raw get(), a pack / one envelope",
      unit: "x",
      spread: r.rawGet.ratioPerRun,
      runs,
      detail: `${us(r.rawGet.packedMsPerRead.median)} vs ${us(r.rawGet.unpackedMsPerRead.median)} per get(): the store's share of the packed cost`,
    }),
  ]
}
