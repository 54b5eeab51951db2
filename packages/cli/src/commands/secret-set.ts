/**
 * `layer secret set NAME`: write one value (docs/design.md#cli). Order matters for "nothing written
 * on bad input": flags, then project and NAME, then the value and its checks; only then
 * the provider write (and, for a declared secret, its sealed record in the rotation state).
 */
import { LayerError } from "../errors.js"
import { confirmWrites, requireConfirmationSource } from "../framework/confirm.js"
import { localRecordUnreadable, unreadableRecordFile } from "../providers/local/unreadable.js"
import type { SecretProvider } from "../providers/provider.js"
import type { CommandResult } from "../output/index.js"
import { groupThousands } from "../output/numbers.js"
import { describeTarget, resolveTarget } from "../secrets/catalog.js"
import { fingerprintValue } from "../secrets/fingerprint.js"
import { inspectValue, textToStore } from "../secrets/inspect.js"
import { nextSteps } from "../secrets/next-step.js"
import type { NextStep } from "../secrets/next-step.js"
import { openSecretSession } from "../secrets/session.js"
import { writeValue } from "../secrets/write.js"
import { chooseValueSource, readValue } from "../secrets/value-source.js"
import { booleanFlag, stringFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface SecretSetDocument {
  environment: string
  /** NAME as given. */
  name: string
  physicalName: string
  /** The declaration's `namespace/name`, or null for an undeclared Cloudflare secret. */
  declared: string | null
  action: "created" | "updated"
  /** First 8 hex of HMAC-SHA-256(per-user key, value). */
  fingerprint: string
  bytes: number
  kind: "plain" | "envelope"
  versions: string[]
  current: string
  /** Whether running Workers see the value now, or after which command. */
  next: NextStep
}

export async function run(context: CommandContext): Promise<CommandResult<SecretSetDocument>> {
  const name = context.positionals[0] ?? ""
  const source = chooseValueSource(
    { value: stringFlag(context.flags, "value"), valueEnv: stringFlag(context.flags, "value-env"), fromStdin: booleanFlag(context.flags, "from-stdin") },
    context.terminal.interactive,
  )
  if (booleanFlag(context.flags, "replace-all")) requireConfirmationSource(context, "--replace-all", "or leave --replace-all out")
  if (source.kind === "flag") {
    context.output.warn("--value puts the secret in the process list and your shell history; prefer --value-env VAR, --from-stdin or the prompt")
  }

  const session = await openSecretSession(context)
  const target = resolveTarget(name, session.catalog)
  if (target.kind === "sealing_key") {
    throw new LayerError("reserved_secret", `${describeTarget(target)} is Layeron's own sealing key; layer creates and writes it`, {
      hint: "set your own secrets by their declared namespace/name or a Cloudflare secret name",
    })
  }
  const label = `${describeTarget(target)} in ${session.environment}`
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

  // A converted value (hex or standard base64) is fingerprinted as stored, so setting the same
  // bytes in base64url later shows the same fingerprint. Before the write: a fingerprint key
  // that cannot be read must stop the command before anything is written, not after.
  const fingerprint = await fingerprintValue(session.home, inspected.converted ? value : typed)
  const provider = await session.provider()
  await replaceUnreadableRecord(context, provider, target.physicalName, label)
  const command = `layer secret set ${name}`
  const written = await writeValue(session, provider, { target, inspected, value, command, at: context.now(), notify: (message) => context.output.warn(message) })
  const next = await nextSteps(session, (message) => context.output.warn(message))

  const document: SecretSetDocument = {
    environment: session.environment,
    name,
    physicalName: target.physicalName,
    declared: declaration?.id ?? null,
    action: written.action,
    fingerprint,
    bytes: inspected.size.bytes,
    kind: inspected.kind,
    versions: inspected.versions,
    current: inspected.current,
    next: next.of(target),
  }
  const versions = inspected.kind === "envelope" ? `versions ${inspected.versions.join(", ")} (current ${inspected.current})` : "plain value"
  return {
    json: document,
    human: [
      { type: "line", text: `${written.action} ${describeTarget(target)} in ${session.environment}`, tone: "success" },
      { type: "line", text: `  ${versions} · ${groupThousands(inspected.size.bytes)} bytes · fingerprint ${fingerprint}`, tone: "muted" },
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
async function replaceUnreadableRecord(context: CommandContext, provider: SecretProvider, physicalName: string, label: string): Promise<void> {
  if (!hasSetAside(provider)) return
  const file = unreadableRecordFile((await provider.find(physicalName))?.comment)
  if (file === undefined) return
  if (!booleanFlag(context.flags, "replace-all")) throw localRecordUnreadable(file, context.positionals[0] ?? physicalName)
  await confirmWrites(context, `Replace ${label}, whose local record does not decrypt? (the old file is kept beside the store)`, "nothing was written")
  await provider.setAsideUnreadable(physicalName)
}

function hasSetAside(provider: SecretProvider): provider is SecretProvider & { setAsideUnreadable(name: string): Promise<boolean> } {
  return typeof (provider as { setAsideUnreadable?: unknown }).setAsideUnreadable === "function"
}
