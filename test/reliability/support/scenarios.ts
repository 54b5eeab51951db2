/**
 * The writing commands the crash, fault and concurrency matrices disturb, each with the
 * state it starts from. A scenario's command is rerun unchanged after a disturbance; the
 * rerun must succeed and leave what an undisturbed run leaves.
 */
import assert from "node:assert/strict"
import type { Target } from "./targets.js"

/** 32 bytes in base64url: values for the random and generated secrets. */
export const VALUE_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
export const VALUE_B = "Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA"
export const VALUE_16 = "AAECAwQFBgcICQoLDA0ODw"

/** A first version created long ago, so that rotation is due now. */
function oldEnvelope(value: string): string {
  return JSON.stringify({ current: "v1", versions: { v1: { value, createdAt: "2026-01-01T00:00:00.000Z" } } })
}

export interface Scenario {
  id: "set-first" | "set-update" | "rotate" | "deploy" | "set-after-rotation"
  /** As the figures show it. */
  label: string
  /** Brings a fresh target to the scenario's starting point. */
  prepare(target: Target): Promise<void>
  args: readonly string[]
  env?: Readonly<Record<string, string>>
  /**
   * The crash points (testing/crash-point.ts) an undisturbed run reaches, and how many times:
   * the crash matrix kills the run at each, and fails if a declared step is not reached.
   */
  reaches: Readonly<Partial<Record<CrashStep, number>>>
}

/** Every crash point in the write path (testing/crash-point.ts callers). */
export const CRASH_STEPS = ["sealing-key-pending", "sealing-key-stored", "before-intent", "after-intent", "after-provider-write", "after-state-write"] as const
export type CrashStep = (typeof CRASH_STEPS)[number]

/** The write-ahead record's steps, reached once per recorded secret write. */
const recordSteps = (times: number) => ({ "before-intent": times, "after-intent": times, "after-provider-write": times, "after-state-write": times })
/** The sealing key's creation, on an environment's first recorded write. */
const sealingKeySteps = { "sealing-key-pending": 1, "sealing-key-stored": 1 }

async function mustRun(target: Target, args: readonly string[], env: Record<string, string> = {}): Promise<void> {
  const run = await target.run(args, { env })
  assert.equal(run.code, 0, `preparing: layer ${args.join(" ")}: ${run.stderr}`)
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: "set-first",
    label: "secret set (first write: sealing key + secret)",
    prepare: async () => {},
    args: ["secret", "set", "auth/session-key", "--value-env", "V"],
    env: { V: VALUE_A },
    reaches: { ...sealingKeySteps, ...recordSteps(1) },
  },
  {
    id: "set-update",
    label: "secret set (update of a declared secret)",
    prepare: (target) => mustRun(target, ["secret", "set", "auth/session-key", "--value-env", "V"], { V: VALUE_A }),
    args: ["secret", "set", "auth/session-key", "--value-env", "V"],
    env: { V: VALUE_B },
    reaches: recordSteps(1),
  },
  {
    id: "rotate",
    label: "secret rotate --apply (3 due: retain_for, retain_forever, none/first value)",
    prepare: async (target) => {
      await mustRun(target, ["secret", "set", "auth/session-key", "--value-env", "V"], { V: oldEnvelope(VALUE_A) })
      await mustRun(target, ["secret", "set", "auth/signing-key", "--value-env", "V"], { V: oldEnvelope(VALUE_16) })
    },
    args: ["secret", "rotate", "--apply", "--yes"],
    reaches: recordSteps(3),
  },
  {
    id: "set-after-rotation",
    label: "secret set of a rotating secret after a rotation (v3, carrying v1 and v2 sealed)",
    prepare: async (target) => {
      await mustRun(target, ["secret", "set", "auth/session-key", "--value-env", "V"], { V: oldEnvelope(VALUE_A) })
      await mustRun(target, ["secret", "rotate", "--apply", "--yes"])
    },
    args: ["secret", "set", "auth/session-key", "--value-env", "V"],
    env: { V: VALUE_B },
    reaches: recordSteps(1),
  },
  {
    id: "deploy",
    label: "deploy (sealing key, 2 random secrets, Workers)",
    prepare: async () => {},
    args: ["deploy", "--yes"],
    reaches: { ...sealingKeySteps, ...recordSteps(2) },
  },
]

export function scenario(id: Scenario["id"]): Scenario {
  const found = SCENARIOS.find((candidate) => candidate.id === id)
  if (!found) throw new Error(`no scenario ${id}`)
  return found
}
