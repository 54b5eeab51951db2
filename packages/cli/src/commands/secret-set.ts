/**
 * `layer secret set NAME`: write one value (docs/design.md#cli). Order matters for "nothing written
 * on bad input": flags, then project and NAME, then the value and its checks, then what the
 * write does to the versions the secret holds (secrets/version-plan.ts: a rotating secret gets
 * the value as its next version, and a write that would remove a readable version is refused
 * unless --replace-all); only then the provider write (and, for a declared secret, its sealed
 * record in the rotation state).
 */
import { LayerError } from "../errors.js"
import { confirmWrites, requireConfirmationSource } from "../framework/confirm.js"
import { localRecordUnreadable, unreadableRecordFile } from "../providers/local/unreadable.js"
import type { SecretProvider } from "../providers/provider.js"
import type { CommandResult } from "../output/index.js"
import { groupThousands } from "../output/numbers.js"
import { describeTarget, resolveWriteTarget } from "../secrets/catalog.js"
import type { ResolvedVia } from "../secrets/catalog.js"
import { fingerprintValue } from "../secrets/fingerprint.js"
import { inspectValue, textToStore } from "../secrets/inspect.js"
import { nextSteps } from "../secrets/next-step.js"
import type { NextStep } from "../secrets/next-step.js"
import { openSecretSession } from "../secrets/session.js"
import { describeChanges } from "../secrets/version-plan.js"
import type { VersionChanges, VersionPlan, VersionReport } from "../secrets/version-plan.js"
import { previewWrite, writeValue } from "../secrets/write.js"
import { chooseValueSource, readValue } from "../secrets/value-source.js"
import { booleanFlag, stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface SecretSetDocument extends VersionReport {
  environment: string
  /** NAME as given. */
  name: string
  physicalName: string
  /** The declaration's `namespace/name`, or null for an undeclared Cloudflare secret. */
  declared: string | null
  /** How NAME found its secret: as typed, or by the env-style convention (SESSION_KEY → auth/session-key). */
  via: ResolvedVia
  /** `unchanged`: the secret rotates and its current version already holds this value, so nothing was written. */
  action: "created" | "updated" | "unchanged"
  /** First 8 hex of HMAC-SHA-256(per-user key, value). */
  fingerprint: string
  bytes: number
  kind: "plain" | "envelope"
  /** Whether running Workers see the value now, or after which command. */
  next: NextStep
}

export async function run(context: CommandContext): Promise<CommandResult<SecretSetDocument>> {
  const name = context.positionals[0] ?? ""
  const replaceAll = booleanFlag(context.flags, "replace-all")
  if (replaceAll) requireConfirmationSource(context, "--replace-all (it may remove versions that are still readable)", "or leave --replace-all out: a value then keeps every readable version")
  const source = chooseValueSource(
    { value: stringFlag(context.flags, "value"), valueEnv: stringFlag(context.flags, "value-env"), fromStdin: booleanFlag(context.flags, "from-stdin") },
    context.terminal.interactive,
  )
  if (source.kind === "flag") {
    context.output.warn("--value puts the secret in the process list and your shell history; prefer --value-env VAR, --from-stdin or the prompt")
  }

  const session = await openSecretSession(context)
  const { target, via } = resolveWriteTarget(name, session.catalog, { undeclared: booleanFlag(context.flags, "undeclared") })
  if (target.kind === "sealing_key") {
    throw new LayerError("reserved_secret", `${describeTarget(target)} is Layeron's own sealing key; layer creates and writes it`, {
      hint: "set your own secrets by their declared namespace/name or a Cloudflare secret name",
    })
  }
  const label = `${describeTarget(target)} in ${session.environment}`
  if (via === "convention") context.output.note(`${name} is ${describeTarget(target)} by the env-style convention; pass --undeclared to write an undeclared secret named ${name} instead`)
  context.output.debug(`secret set: target ${label}, source ${source.kind}`)

  const typed = await readValue(source, { env: context.env, stdin: context.stdin, terminal: context.terminal, label })
  const text = typed.reveal()
  const declaration = target.kind === "declared" ? target.secret.declaration : undefined
  const inspected = inspectValue(text, { plain: booleanFlag(context.flags, "plain"), declaration, now: context.now() })
  const value = textToStore(typed, inspected)
  if (source.kind === "stdin" && text.endsWith("\n")) {
    context.output.warn("the value from stdin ends with a newline, which is kept as part of the value; pipe it with printf '%s' to leave it out")
  }
  for (const warning of inspected.warnings) context.output.warn(warning)

  const provider = await session.provider()
  const setAside = await replaceUnreadableRecord(context, provider, target.physicalName, label)
  const command = `layer secret set ${name}${replaceAll ? " --replace-all" : ""}`
  if (replaceAll && !setAside) {
    const preview = await previewWrite(session, { target, inspected, at: context.now(), replaceAll }, await provider.find(target.physicalName))
    const { dropped, replaced } = preview.changes
    const lost = [...(dropped.length ? [`drops ${dropped.join(", ")}`] : []), ...(replaced.length ? [`overwrites ${replaced.join(", ")}`] : [])]
    await confirmWrites(context, `Replace every version of ${describeTarget(target)} in ${session.environment}${lost.length ? ` (${lost.join(", ")}: still readable)` : ""}?`, "nothing was written")
  }
  const written = await writeValue(session, provider, { target, inspected, value, command, at: context.now(), now: context.now, replaceAll, notify: (message) => context.output.warn(message) })
  const { changes, mode } = written.plan
  // A converted value (hex or standard base64) is fingerprinted as stored, so setting the same
  // bytes in base64url later shows the same fingerprint. After the write: a refused write must
  // not create the fingerprint key; a damaged one is replaced (secrets/fingerprint.ts), so
  // this cannot fail a write that landed.
  const fingerprint = await fingerprintValue(session.home, inspected.converted ? value : typed)
  const next = await nextSteps(session, (message) => context.output.warn(message))

  const document: SecretSetDocument = {
    environment: session.environment,
    name,
    physicalName: target.physicalName,
    declared: declaration?.id ?? null,
    via,
    action: written.action,
    fingerprint,
    bytes: inspected.size.bytes,
    kind: inspected.kind,
    mode,
    versions: changes.versions,
    current: changes.current,
    written: changes.written,
    kept: changes.kept,
    expiring: changes.expiring,
    dropped: changes.dropped,
    replaced: changes.replaced,
    next: next.of(target),
  }
  const given = inspected.kind === "envelope" ? `envelope of ${inspected.versions.join(", ")}` : "plain value"
  const versionsLine = mode === "as_given" && inspected.kind === "plain" && changes.dropped.length === 0 && changes.kept.length === 0 ? [] : [{ type: "line" as const, text: `  versions: ${describeChanges(changes)}`, tone: "muted" as const }]
  return {
    json: document,
    human: [
      { type: "line", text: `${written.action} ${describeTarget(target)} in ${session.environment}${via === "convention" ? ` (${name} by the env-style convention)` : ""}`, tone: "success" },
      { type: "line", text: `  ${given} · ${groupThousands(inspected.size.bytes)} bytes · fingerprint ${fingerprint}`, tone: "muted" },
      ...versionsLine,
      ...next.describe([target]),
    ],
  }
}

/**
 * A local record that does not decrypt is never replaced silently: refused here, before the
 * write records its intent (`local_record_unreadable`, naming the file). With --replace-all,
 * after a confirmation, it is set aside (kept beside the store) so the new value starts a
 * fresh record.
 */
/** A local record that does not decrypt: refused, or with --replace-all (asked first) set aside; true when it was. */
async function replaceUnreadableRecord(context: CommandContext, provider: SecretProvider, physicalName: string, label: string): Promise<boolean> {
  if (!hasSetAside(provider)) return false
  const file = unreadableRecordFile((await provider.find(physicalName))?.comment)
  if (file === undefined) return false
  if (!booleanFlag(context.flags, "replace-all")) throw localRecordUnreadable(file, context.positionals[0] ?? physicalName)
  await confirmWrites(context, `Replace ${label}, whose local record does not decrypt? (the old file is kept beside the store)`, "nothing was written")
  await provider.setAsideUnreadable(physicalName)
  return true
}

function hasSetAside(provider: SecretProvider): provider is SecretProvider & { setAsideUnreadable(name: string): Promise<boolean> } {
  return typeof (provider as { setAsideUnreadable?: unknown }).setAsideUnreadable === "function"
}
