/**
 * `layer secret rotate`: a plan by default, `--apply` to write it (docs/design.md#rotation, docs/design.md#cli).
 *
 * Order matters for "nothing written on bad input": flags, then the project and the
 * provider, then (apply) the environment lock, the inputs and the plan, and only once no
 * conflict stops the run and the person confirmed, the writes: settled intents first, then
 * the sealing key if it is new, then the rotations.
 */
import { parseRfc3339 } from "@layeron/modules/envelope"
import { LayerError } from "../errors.js"
import type { CommandResult } from "../output/index.js"
import { applyRotation, DEFAULT_CONCURRENCY } from "../rotation/apply.js"
import type { ApplyOutcome } from "../rotation/apply.js"
import { changedBetween, snapshotFiles } from "../rotation/changed-files.js"
import { checkCheckoutState, checkStateCoverage } from "../rotation/checkout.js"
import { readRotationInputs } from "../rotation/inputs.js"
import type { RotationInputs } from "../rotation/inputs.js"
import { lockWaitFromEnv, withEnvironmentLock } from "../rotation/lock.js"
import { rotationDir } from "../rotation/paths.js"
import { planRotation } from "../rotation/plan.js"
import type { DueRow, PlanRow, RotationPlan } from "../rotation/plan.js"
import { withPolicy } from "../rotation/record.js"
import { buildReport } from "../rotation/report.js"
import type { RotateDocument } from "../rotation/report.js"
import { ensureSealingKey } from "../rotation/sealing-key.js"
import type { SealingContext } from "../rotation/sealing-key.js"
import { writeSecretState } from "../rotation/state-file.js"
import { checkAnchors, needsReAnchor, reAnchor } from "../rotation/anchors.js"
import type { AnchorFinding } from "../rotation/anchors.js"
import type { DeclaredSecret } from "../secrets/catalog.js"
import { fingerprintValue } from "../secrets/fingerprint.js"
import { openSecretSession } from "../secrets/session.js"
import { resolveDeclaredNames } from "./secret-rotate-names.js"
import type { SecretSession } from "../secrets/session.js"
import { booleanFlag, stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"
import { confirmationLines, humanReport, progressLine } from "./secret-rotate-view.js"

export const MAX_CONCURRENCY = 32

interface RotateFlags {
  apply: boolean
  yes: boolean
  at: Date | undefined
  discardHistory: boolean
  acceptPolicyChange: boolean
  concurrency: number
  reAnchor: boolean
  /** `--now`: the selected secrets are due whatever their schedule. */
  now: boolean
}

/** What this run covers: the named secrets (all rotating declarations when none is named). */
interface Selection {
  secrets: DeclaredSecret[]
  /** Declaration ids as named, for the command line (never the typed text). */
  named: string[]
}

/** The rotate document, plus the state files this run changed (what a CI job commits back). */
export interface RotateCommandDocument extends RotateDocument {
  changedFiles: string[]
}

export async function run(context: CommandContext): Promise<CommandResult<RotateCommandDocument | ReAnchorDocument>> {
  const flags = readFlags(context)
  const lockWaitMs = lockWaitFromEnv(context.env)
  if (flags.reAnchor && !flags.yes && !context.terminal.interactive) {
    throw new LayerError("confirmation_required", "`secret rotate --re-anchor` needs confirmation, and stdin is not a terminal; nothing was written", {
      hint: "check the fingerprints and versions with `layer secret rotate --re-anchor` at a terminal, or pass --yes once a person has checked them",
    })
  }
  if (flags.apply && !flags.yes && !context.terminal.interactive) {
    throw new LayerError("confirmation_required", "`secret rotate --apply` needs confirmation, and stdin is not a terminal; nothing was written", {
      hint: "pass --yes to apply without asking (run the command without --apply first to see the plan)",
    })
  }
  const session = await openSecretSession(context)
  const selection = selectSecrets(context.positionals, session)
  const sealing: SealingContext = {
    projectRoot: session.project.root,
    environment: session.environment,
    provider: await session.provider(),
    sealingKeyName: session.catalog.sealingKeyName,
    notify: (message) => context.output.warn(message),
  }
  if (flags.reAnchor) {
    const command = `layer secret rotate --env ${session.environment} --re-anchor`
    return withEnvironmentLock(sealing.projectRoot, sealing.environment, command, () => runReAnchor(context, session, sealing, command), lockWaitMs === undefined ? {} : { waitMs: lockWaitMs })
  }
  await checkCheckoutState({ ...sealing, sealingKeyStored: async () => (await sealing.provider.find(sealing.sealingKeyName)) !== undefined })
  if (!flags.apply) return withChangedFiles(await plan(context, session, sealing, flags, selection), [])
  const command = commandLine(session.environment, flags, selection)
  return withEnvironmentLock(
    sealing.projectRoot,
    sealing.environment,
    command,
    async () => {
      const stateDir = rotationDir(sealing.projectRoot, sealing.environment)
      const before = await snapshotFiles(stateDir)
      const result = await apply(context, session, sealing, flags, command, selection)
      return withChangedFiles(result, changedBetween(before, await snapshotFiles(stateDir), sealing.projectRoot))
    },
    lockWaitMs === undefined ? {} : { waitMs: lockWaitMs },
  )
}

async function plan(context: CommandContext, session: SecretSession, sealing: SealingContext, flags: RotateFlags, selection: Selection): Promise<CommandResult<RotateDocument>> {
  const inputs = await readRotationInputs(sealing, selection.secrets, { discardHistory: flags.discardHistory, now: context.now })
  if (!flags.discardHistory) checkStateCoverage(sealing.projectRoot, sealing.environment, inputs.candidates)
  const planned = planRotation(inputs.candidates, { now: flags.at ?? context.now(), discardHistory: flags.discardHistory, acceptPolicyChange: flags.acceptPolicyChange, ...forceDue(flags, selection, inputs) })
  checkSealedHistory(inputs, planned, sealing)
  const document = buildReport(session.environment, planned, "plan")
  const exitCode = document.summary.conflict > 0 ? 1 : document.summary.due > 0 ? 2 : 0
  return { json: document, human: humanReport(document, { applyCommand: applyCommandLine(session.environment, flags, selection) }), exitCode }
}

async function apply(context: CommandContext, session: SecretSession, sealing: SealingContext, flags: RotateFlags, command: string, selection: Selection): Promise<CommandResult<RotateDocument>> {
  const inputs = await readRotationInputs(sealing, selection.secrets, { discardHistory: flags.discardHistory, now: context.now })
  if (!flags.discardHistory) checkStateCoverage(sealing.projectRoot, sealing.environment, inputs.candidates)
  // One instant per run: every version it creates has this createdAt, as the plan showed.
  const at = context.now()
  const planned = planRotation(inputs.candidates, { now: at, discardHistory: flags.discardHistory, acceptPolicyChange: flags.acceptPolicyChange, ...forceDue(flags, selection, inputs) })
  checkSealedHistory(inputs, planned, sealing)
  const conflicts = planned.rows.filter((row) => row.status === "conflict")
  if (conflicts.length > 0) throw conflictError(conflicts, session.environment)

  const due = planned.rows.filter((row): row is DueRow => row.status === "due")
  if (due.length > 0 && !flags.yes) {
    for (const line of confirmationLines(buildReport(session.environment, planned, "plan"))) context.output.note(line)
    const noun = due.length === 1 ? "secret" : "secrets"
    if (!(await context.terminal.confirm(`Rotate ${due.length} ${noun} in ${session.environment}?`))) {
      throw new LayerError("not_confirmed", "nothing was rotated: the rotation was not confirmed", { hint: "answer y to rotate, or pass --yes" })
    }
  }

  // Writes start here. First what earlier runs left: intents settled by the listing, and
  // policies accepted for secrets that are not due (their state says the new policy now).
  for (const state of inputs.settled) await writeSecretState(sealing.projectRoot, sealing.environment, state)
  for (const row of planned.rows) {
    const state = inputs.candidates.find((candidate) => candidate.physicalName === row.physicalName)?.state
    if (row.status === "not_due" && row.policyChange && state) await writeSecretState(sealing.projectRoot, sealing.environment, withPolicy(state, row.policyChange.to))
  }
  if (due.length === 0) {
    const document = buildReport(session.environment, planned, "apply")
    return { json: document, human: humanReport(document), exitCode: 0 }
  }

  await ensureSealingKey(sealing, { now: at, stored: inputs.sealingKeyStored })
  const declarations = new Map(session.catalog.declared.map((secret) => [secret.physicalName, secret.declaration]))
  const showProgress = due.length > 1
  const outcomes = await applyRotation(
    due.map((row) => ({ row, declaration: declarations.get(row.physicalName)! })),
    {
      context: sealing,
      command,
      concurrency: flags.concurrency,
      now: () => at,
      fingerprint: (value) => fingerprintValue(session.home, value),
      onProgress: showProgress ? (done, total, outcome) => context.output.progress(progressLine(done, total, outcome)) : undefined,
    },
  )
  if (showProgress) context.output.progress(undefined)
  const document = buildReport(session.environment, planned, "apply", outcomes)
  return { json: document, human: humanReport(document), exitCode: outcomes.every((outcome: ApplyOutcome) => outcome.status === "rotated") ? 0 : 1 }
}

function withChangedFiles(result: CommandResult<RotateDocument>, changedFiles: string[]): CommandResult<RotateCommandDocument> {
  const human = changedFiles.length
    ? [...result.human, { type: "line" as const, text: `state changed: ${changedFiles.join(", ")} (commit ${changedFiles.length === 1 ? "it" : "them"} for a shared environment)`, tone: "muted" as const }]
    : result.human
  return { ...result, json: { ...result.json, changedFiles }, human }
}

function readFlags(context: CommandContext): RotateFlags {
  const apply = booleanFlag(context.flags, "apply")
  const at = stringFlag(context.flags, "at")
  const reAnchor = booleanFlag(context.flags, "re-anchor")
  const now = booleanFlag(context.flags, "now")
  if (reAnchor && (apply || now || context.positionals.length > 0 || at !== undefined || booleanFlag(context.flags, "discard-history"))) {
    throw new LayerError("re_anchor_alone", "--re-anchor only re-anchors the store to the checked state; it does not rotate; nothing was written", {
      hint: "run `layer secret rotate --re-anchor` on its own, then rotate",
    })
  }
  if (apply && at !== undefined) {
    throw new LayerError("apply_with_at", "--at plans as of another time, but --apply always rotates at the current time; nothing was written", {
      hint: "drop --at to apply now, or drop --apply to see the plan at that time",
    })
  }
  return {
    apply,
    yes: booleanFlag(context.flags, "yes"),
    at: at === undefined ? undefined : parseAt(at),
    discardHistory: booleanFlag(context.flags, "discard-history"),
    acceptPolicyChange: booleanFlag(context.flags, "accept-policy-change"),
    concurrency: parseConcurrency(stringFlag(context.flags, "concurrency")),
    reAnchor,
    now,
  }
}

/**
 * NAME… selects declared secrets; each must rotate (a static secret's value is the
 * operator's, one without rotation.everyDays has no policy to rotate under). Checked before
 * anything is read from the store, so a typo writes nothing.
 */
function selectSecrets(names: readonly string[], session: SecretSession): Selection {
  if (names.length === 0) return { secrets: [...session.catalog.declared], named: [] }
  const secrets = resolveDeclaredNames(names, session.catalog)
  for (const secret of secrets) {
    const { declaration } = secret
    if (declaration.kind === "static") {
      throw new LayerError("not_rotatable", `${declaration.id} (${secret.physicalName}) is a static secret: its value is the operator's, so layer cannot make a new one; nothing was written`, {
        hint: `write the new value with \`layer secret set ${declaration.id} --env ${session.environment}\` (for a value you got from a provider, after rolling it there)`,
      })
    }
    if (declaration.rotation?.everyDays === undefined) {
      throw new LayerError("not_rotatable", `${declaration.id} (${secret.physicalName}) has no rotation policy (rotation.everyDays), so it has no versions to rotate; nothing was written`, {
        hint: `declare rotation: { everyDays, retain } on it to rotate it with its older versions kept, or write a new value with \`layer secret set ${declaration.id} --env ${session.environment}\``,
      })
    }
  }
  return { secrets, named: secrets.map((secret) => secret.declaration.id) }
}

/**
 * The secrets --now makes due. Not one whose rotation a killed run wrote but did not record:
 * this run completes that rotation from its intent (the store already holds the new
 * version), and forcing it again would rotate twice for one command.
 */
function forceDue(flags: RotateFlags, selection: Selection, inputs: RotationInputs): { forceDue?: ReadonlySet<string> } {
  if (!flags.now) return {}
  const completedNow = new Set(inputs.recovered)
  return { forceDue: new Set(selection.secrets.map((secret) => secret.physicalName).filter((name) => !completedNow.has(name))) }
}

/** What the plan tells a person to run to write it: the same selection, with --apply. */
function applyCommandLine(environment: string, flags: RotateFlags, selection: Selection): string {
  return ["layer secret rotate", ...selection.named, `--env ${environment}`, ...(flags.now ? ["--now"] : []), "--apply"].join(" ")
}

function parseAt(text: string): Date {
  const ms = parseRfc3339(text)
  if (ms === undefined) {
    // A long text is more likely a value or token pasted into the wrong flag than a mistyped
    // time (the longest RFC 3339 form is 35 characters): described, not printed.
    const shown = text.length <= 36 ? JSON.stringify(text) : `(${text.length} characters, not shown: it may be a value pasted by mistake)`
    throw new LayerError("invalid_time", `--at ${shown} is not an RFC 3339 time`, {
      hint: "give a date, a time and an offset, like 2026-07-01T00:00:00Z or 2026-07-01T09:30:00+02:00",
    })
  }
  return new Date(ms)
}

function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CONCURRENCY
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN
  if (!(n >= 1 && n <= MAX_CONCURRENCY)) {
    throw new LayerError("invalid_concurrency", `--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}; got ${JSON.stringify(text)}`, {
      hint: `the default, ${DEFAULT_CONCURRENCY}, stays well within Cloudflare's 1,200 requests per 5 minutes`,
    })
  }
  return n
}

/** The command as recorded in the rotation log and the lock: flags only, never a value. */
function commandLine(environment: string, flags: RotateFlags, selection: Selection): string {
  const extra = [flags.now ? "--now" : "", flags.discardHistory ? "--discard-history" : "", flags.acceptPolicyChange ? "--accept-policy-change" : ""].filter(Boolean)
  return ["layer secret rotate", ...selection.named, `--env ${environment}`, "--apply", ...extra].join(" ")
}

function conflictError(rows: readonly PlanRow[], environment: string): LayerError {
  const list = rows.map((row) => `${row.namespace}/${row.name} (${row.physicalName}): ${row.status === "conflict" ? row.detail : ""}`)
  const flags = new Set<string>()
  for (const row of rows) {
    if (row.status !== "conflict") continue
    if (row.reasons.includes("policy_changed")) flags.add("--accept-policy-change")
    if (row.reasons.includes("modified_elsewhere") || row.reasons.includes("no_state")) flags.add("--discard-history")
  }
  const stale = rows.some((row) => row.status === "conflict" && row.reasons.includes("modified_elsewhere"))
  const noun = rows.length === 1 ? "secret is" : "secrets are"
  return new LayerError("rotation_conflict", `${rows.length} ${noun} in conflict in ${environment}, so nothing was written: ${list.join("; ")}`, {
    hint:
      (stale ? "if a teammate or CI rotated or set them, this checkout's state is behind the store: `git pull` and run again; otherwise " : "") +
      `check each one, then run again with ${[...flags].join(" and ")} (the plan, without --apply, shows what each would do)`,
    details: { secrets: rows.map((row) => ({ secret: `${row.namespace}/${row.name}`, physicalName: row.physicalName, reasons: row.status === "conflict" ? row.reasons : [] })) },
  })
}

/**
 * Carried versions are sealed to the environment's key; without the key (deleted, or never
 * committed) a rotation would carry copies nobody can open. Refuse before writing.
 */
function checkSealedHistory(inputs: RotationInputs, planned: RotationPlan, sealing: SealingContext): void {
  if (inputs.sealingKey.kind === "ready") return
  const carrying = planned.rows.filter((row) => row.status === "due" && row.versions.kept.length > 0)
  if (carrying.length === 0) return
  throw new LayerError(
    "sealing_key_missing",
    `environment "${sealing.environment}" has no sealing key (layeron/sealing-key, ${sealing.sealingKeyName}), but ${carrying.map((row) => `${row.namespace}/${row.name}`).join(", ")} would carry versions sealed to it`,
    {
      hint: `restore ${"`"}.layeron/secret-rotation/${sealing.environment}/public-key.json${"`"} and the sealing key secret from your backups; or start new histories, keeping the old state: move ${"`"}.layeron/secret-rotation/${sealing.environment}${"`"} aside (${"`"}mv${"`"} it to a name beside it) and run again with --discard-history`,
      details: { secrets: carrying.map((row) => row.physicalName) },
    },
  )
}

export interface ReAnchorDocument {
  environment: string
  /** What was re-anchored (empty: every anchor already matched). */
  reAnchored: Array<{ secret: string; physicalName: string; file: string; was: "mismatch" | "unanchored"; fingerprint?: string; anchoredFingerprint?: string; versions?: string[] }>
}

/**
 * `--re-anchor`: after a person checked the committed files, make the store vouch for them.
 * Shows both sides (fingerprints, version ids), asks, writes the anchors, logs it.
 */
async function runReAnchor(context: CommandContext, session: SecretSession, sealing: SealingContext, command: string): Promise<CommandResult<ReAnchorDocument>> {
  const report = await checkAnchors(sealing, session.catalog.declared)
  const invalid = [report.sealingKey, ...report.secrets].filter((finding) => finding.status === "invalid")
  if (invalid.length > 0) {
    throw new LayerError("invalid_state", `cannot re-anchor: ${invalid.map((finding) => finding.detail).join("; ")}`, { hint: "restore the files from version control first", details: { files: invalid.map((finding) => finding.file) } })
  }
  const todo = needsReAnchor(report)
  const elsewhere = todo.filter((finding) => finding.writtenElsewhere)
  if (elsewhere.length > 0) {
    throw new LayerError("rotation_conflict", `cannot re-anchor ${elsewhere.map((finding) => `${finding.secret} (${finding.physicalName})`).join(", ")}: written outside its state since (the store's modified moved), so the state cannot vouch for what the store holds; nothing was written`, {
      hint: `start a fresh envelope instead: \`layer secret rotate --env ${session.environment} --apply --discard-history\``,
    })
  }
  const document: ReAnchorDocument = { environment: session.environment, reAnchored: todo.map(describeFinding) }
  if (todo.length === 0) {
    return { json: document, human: [{ type: "line", text: `every anchor in ${session.environment} already matches its file; nothing to re-anchor`, tone: "success" }] }
  }
  const lines = todo.map(findingLine)
  if (!booleanFlag(context.flags, "yes")) {
    for (const line of lines) context.output.note(line)
    if (!(await context.terminal.confirm(`Make the store vouch for ${todo.length === 1 ? "this file" : `these ${todo.length} files`} as they are?`))) {
      throw new LayerError("not_confirmed", "nothing was re-anchored: it was not confirmed", { hint: "answer y once you have checked the files, or pass --yes" })
    }
  }
  await reAnchor(sealing, todo, command, context.now())
  return {
    json: document,
    human: [{ type: "line", text: `re-anchored ${todo.length} in ${session.environment} (logged in the rotation log)`, tone: "success" }, ...lines.map((text) => ({ type: "line" as const, text: `  ${text}`, tone: "muted" as const }))],
  }
}

function describeFinding(finding: AnchorFinding): ReAnchorDocument["reAnchored"][number] {
  return {
    secret: finding.secret,
    physicalName: finding.physicalName,
    file: finding.file,
    was: finding.status === "mismatch" ? "mismatch" : "unanchored",
    ...(finding.fingerprint ? { fingerprint: finding.fingerprint } : {}),
    ...(finding.anchoredFingerprint ? { anchoredFingerprint: finding.anchoredFingerprint } : {}),
    ...(finding.versions ? { versions: finding.versions } : {}),
  }
}

function findingLine(finding: AnchorFinding): string {
  const store = finding.status === "unanchored" ? "no anchor in the store (written before anchors)" : `the store anchored ${finding.anchoredFingerprint ?? finding.stored ?? "something else"}`
  if (finding.fingerprint) return `${finding.secret}: ${finding.file} has fingerprint ${finding.fingerprint}; ${store}`
  return `${finding.secret} (${finding.physicalName}): ${finding.file} lists ${finding.versions?.join(", ") ?? "no versions"}; ${store}`
}
