/**
 * `layer secret import FILE | --from-stdin`: write every entry of a dotenv or JSON file, all
 * or nothing. The file is parsed (secrets/import-file.ts), every key resolved and every value
 * checked (secrets/import-plan.ts) before the provider is even opened, so one bad entry
 * writes nothing. What each write does to the versions a secret holds is planned for every
 * entry before the first write too (secrets/version-plan.ts, as `secret set` plans it), so an
 * entry that would remove a readable version refuses the whole import. The writes then go one
 * by one through the path `secret set` uses (secrets/write.ts): recorded and crash-safe for
 * declared secrets, each planned again under the environment lock. On the local provider the
 * whole batch is one transaction (providers/local/transaction.ts): a write that fails midway
 * (a full disk) puts back everything the import wrote. On Cloudflare the new undeclared
 * secrets go first, in one bulk request (createMany); if it fails, the store is read back and
 * the error names what landed, and nothing else is written. Elsewhere a failure stops the
 * import; what was written stays, is listed, and importing again rewrites the same values.
 */
import { readFile, stat } from "../fs/io.js"
import { asLayerError, LayerError } from "../errors.js"
import { confirmWrites, requireConfirmationSource } from "../framework/confirm.js"
import type { CommandResult, HumanBlock } from "../output/index.js"
import { groupThousands } from "../output/numbers.js"
import { SecretText } from "../providers/provider.js"
import type { BatchOutcome, SecretMetadata, SecretProvider } from "../providers/provider.js"
import { describeTarget } from "../secrets/catalog.js"
import { fingerprintValue } from "../secrets/fingerprint.js"
import { parseImportFile } from "../secrets/import-file.js"
import { planImport } from "../secrets/import-plan.js"
import type { PlannedEntry } from "../secrets/import-plan.js"
import { nextSteps } from "../secrets/next-step.js"
import type { NextStep } from "../secrets/next-step.js"
import { openSecretSession } from "../secrets/session.js"
import { withEnvironmentLock } from "../rotation/lock.js"
import { describeChanges } from "../secrets/version-plan.js"
import type { VersionChanges, VersionPlan, VersionReport } from "../secrets/version-plan.js"
import { createUndeclared, previewWrite, writeValue } from "../secrets/write.js"
import type { ValueWrite } from "../secrets/write.js"
import { booleanFlag, stringFlag, stringsFlag } from "./types.js"
import type { CommandContext } from "./types.js"

/** Well above any real .env; a bigger input is not a file of secrets (and is not read whole). */
const MAX_FILE_BYTES = 16 * 1024 * 1024

export interface SecretImportRow extends VersionReport {
  key: string
  line: number
  /** The declaration's `namespace/name`, or null for an undeclared Cloudflare secret. */
  declared: string | null
  physicalName: string
  via: PlannedEntry["via"]
  /** With --dry-run: what would happen (create, update); otherwise what did (created, updated). */
  action: "create" | "update" | "created" | "updated" | "unchanged"
  bytes: number
  kind: "plain" | "envelope"
  fingerprint: string
  next: NextStep
}

export interface SecretImportDocument {
  environment: string
  /** The file as given, or "stdin". */
  source: string
  format: "dotenv" | "json"
  dryRun: boolean
  secrets: SecretImportRow[]
}

export async function run(context: CommandContext): Promise<CommandResult<SecretImportDocument>> {
  const file = context.positionals[0]
  const fromStdin = booleanFlag(context.flags, "from-stdin")
  const dryRun = booleanFlag(context.flags, "dry-run")
  const replaceAll = booleanFlag(context.flags, "replace-all")
  if ((file === undefined) === !fromStdin) {
    throw new LayerError("conflicting_value_sources", file === undefined ? "no file given: pass FILE or --from-stdin" : "FILE and --from-stdin were both given; the entries come from exactly one", {
      hint: "layer secret import .env, or: cat .env | layer secret import --from-stdin",
    })
  }
  if (!dryRun) requireConfirmationSource(context, "importing secrets", "or --dry-run to see what would be written")
  const source = file ?? "stdin"
  const bytes = file !== undefined ? await readImportFile(file) : await readStdin(context)
  const parsed = parseImportFile(bytes, source)

  const session = await openSecretSession(context)
  const planned = planImport(parsed.entries, session.catalog, { maps: stringsFlag(context.flags, "map"), plain: booleanFlag(context.flags, "plain"), now: context.now(), source, undeclared: booleanFlag(context.flags, "undeclared") })
  for (const row of planned) for (const warning of row.warnings) context.output.warn(`${source} line ${row.entry.line} (${row.entry.key}): ${warning}`)

  const provider = await session.provider()
  // A dry run on an account without a store lists nothing rather than create the store to list it.
  const listed = dryRun && (await provider.storeExists?.()) === false ? [] : await provider.listAll()
  const existing = new Map<string, SecretMetadata>(listed.map((metadata) => [metadata.name, metadata]))
  const next = await nextSteps(session, (message) => context.output.warn(message))
  const rows: SecretImportRow[] = []
  // Every entry's versions planned before the first write: one that would lose a version writes nothing.
  const at = context.now()
  const previews = new Map<PlannedEntry, VersionPlan>()
  for (const entry of planned) {
    try {
      previews.set(entry, await previewWrite(session, { target: entry.target, inspected: entry.inspected, at, replaceAll }, existing.get(entry.target.physicalName)))
    } catch (error) {
      throw atEntry(error, entry, source)
    }
  }
  const row = async (plannedEntry: PlannedEntry, action: SecretImportRow["action"], plan: VersionPlan): Promise<SecretImportRow> => ({
    key: plannedEntry.entry.key,
    line: plannedEntry.entry.line,
    declared: plannedEntry.target.kind === "declared" ? plannedEntry.target.secret.declaration.id : null,
    physicalName: plannedEntry.target.physicalName,
    via: plannedEntry.via,
    action,
    bytes: plannedEntry.inspected.size.bytes,
    kind: plannedEntry.inspected.kind,
    // As `secret set` shows it: the value given, or the converted one that is stored.
    fingerprint: await fingerprintValue(session.home, plannedEntry.inspected.converted ? plannedEntry.value : new SecretText(plannedEntry.entry.value)),
    mode: plan.mode,
    versions: plan.changes.versions,
    current: plan.changes.current,
    written: plan.changes.written,
    kept: plan.changes.kept,
    expiring: plan.changes.expiring,
    dropped: plan.changes.dropped,
    replaced: plan.changes.replaced,
    next: next.of(plannedEntry.target),
  })
  const document = (): SecretImportDocument => ({ environment: session.environment, source, format: parsed.format, dryRun, secrets: rows })

  if (dryRun) {
    for (const entry of planned) rows.push(await row(entry, previews.get(entry)!.mode === "unchanged" ? "unchanged" : existing.has(entry.target.physicalName) ? "update" : "create", previews.get(entry)!))
    return { json: document(), human: render(document(), []) }
  }

  const created = planned.filter((entry) => !existing.has(entry.target.physicalName)).map((entry) => entry.target.physicalName)
  // A packed environment creates a pack, not a secret per member (docs/design.md#packing).
  const physical = provider.physicalCreates ? await provider.physicalCreates(created) : created.length
  await checkCapacity(provider, physical + (needsSealingKey(planned, existing, session.catalog.sealingKeyName) ? 1 : 0), session.environment)
  const removed = (entry: PlannedEntry) => (replaceAll ? [...previews.get(entry)!.changes.dropped, ...previews.get(entry)!.changes.replaced] : previews.get(entry)!.changes.dropped)
  const dropping = planned.filter((entry) => removed(entry).length > 0).map((entry) => `${describeTarget(entry.target)}: ${removed(entry).join(", ")}`)
  const drops = dropping.length ? `; --replace-all removes readable versions of ${dropping.join("; ")}` : ""
  await confirmWrites(context, `Write ${planned.length} secret${planned.length === 1 ? "" : "s"} to ${session.environment} (${created.length} new, ${planned.length - created.length} replaced${drops})?`, "nothing was imported")
  const command = `layer secret import ${file === undefined ? "--from-stdin" : "FILE"}${replaceAll ? " --replace-all" : ""}`
  // Where the store allows it (local), the whole import lands or none of it: staged under the
  // environment lock, rolled back on any failure.
  const atomic = provider.transaction !== undefined
  // Elsewhere (Cloudflare) the new undeclared secrets go first, in one bulk request; declared
  // secrets keep their recorded per-secret path (anchors, write-ahead), and updates are one write each.
  const bulk = !atomic && provider.createMany !== undefined ? planned.filter((entry) => entry.target.kind === "undeclared" && !existing.has(entry.target.physicalName)) : []
  const done = new Map<PlannedEntry, SecretImportRow>()
  // Written, as soon as the store said so (before its row is made, which can fail on its own).
  const landed = new Set<PlannedEntry>()
  const writeOf = (entry: PlannedEntry): ValueWrite => ({ target: entry.target, inspected: entry.inspected, value: entry.value, command, at: context.now(), now: context.now, replaceAll, notify: (message) => context.output.warn(message) })
  let current: PlannedEntry | "bulk" | undefined
  const writeAll = async (): Promise<void> => {
    done.clear()
    landed.clear()
    if (bulk.length > 0) {
      current = "bulk"
      context.output.progress(`importing ${bulk.length} new secret${bulk.length === 1 ? "" : "s"} in one request`)
      const written = await createUndeclared(session, provider, bulk.map(writeOf))
      for (const entry of bulk) landed.add(entry)
      for (const [index, entry] of bulk.entries()) {
        current = entry
        done.set(entry, await row(entry, written[index]!.action, written[index]!.plan))
      }
    }
    for (const [index, entry] of planned.entries()) {
      if (done.has(entry)) continue
      current = entry
      context.output.progress(`importing ${index + 1}/${planned.length}: ${describeTarget(entry.target)}`)
      // No `before` from the listing: a declared write reads the secret's metadata again under
      // the environment lock, which is what settles a crashed write safely.
      const written = await writeValue(session, provider, writeOf(entry))
      landed.add(entry)
      done.set(entry, await row(entry, written.action, written.plan))
    }
  }
  const writtenRows = () => planned.flatMap((entry) => done.get(entry) ?? [])
  try {
    if (atomic) await withEnvironmentLock(session.project.root, session.environment, command, () => provider.transaction!(writeAll))
    else await writeAll()
  } catch (error) {
    context.output.progress(undefined)
    if (current === undefined) throw error
    if (current === "bulk") throw bulkStopped(error, bulk, planned, session.environment, source)
    throw stoppedMidway(error, current, atomic ? [] : planned.filter((entry) => landed.has(entry)), planned, session.environment, source, atomic)
  }
  rows.push(...writtenRows())
  context.output.progress(undefined)
  return { json: document(), human: render(document(), next.describe(planned.map((entry) => entry.target))) }
}

/** A declared secret's first write in an environment also creates its sealing key. */
function needsSealingKey(planned: readonly PlannedEntry[], existing: ReadonlyMap<string, SecretMetadata>, sealingKeyName: string): boolean {
  return planned.some((entry) => entry.target.kind === "declared") && !existing.has(sealingKeyName)
}

/** Refused before the first write, rather than stopped midway by the account's quota. */
async function checkCapacity(provider: SecretProvider, creates: number, environment: string): Promise<void> {
  const capacity = creates > 0 ? await provider.capacity?.() : undefined
  if (!capacity || capacity.usage + creates <= capacity.quota) return
  throw new LayerError("cloudflare_quota_exceeded", `the import creates ${creates} secret${creates === 1 ? "" : "s"} in ${environment}, but the account holds ${groupThousands(capacity.usage)} of its ${groupThousands(capacity.quota)} secrets (Secrets Store quota); nothing was written`, {
    hint: "delete secrets you no longer use (`layer secret delete NAME`), import fewer, or ask Cloudflare for a higher quota",
    details: { creates, usage: capacity.usage, quota: capacity.quota },
  })
}

function render(document: SecretImportDocument, next: HumanBlock[]): HumanBlock[] {
  const { environment, source, dryRun, secrets } = document
  const total = secrets.reduce((sum, row) => sum + row.bytes, 0)
  return [
    { type: "line", text: `${dryRun ? "would import" : "imported"} ${secrets.length} secret${secrets.length === 1 ? "" : "s"} from ${source} into ${environment}`, tone: dryRun ? "strong" : "success" },
    {
      type: "table",
      columns: ["line", "key", "secret", "physical name", "action", "bytes", "fingerprint", "versions"],
      rows: secrets.map((row) => [String(row.line), row.key, row.declared ? `${row.declared}${row.via === "convention" ? " (by convention)" : ""}` : "(undeclared)", row.physicalName, row.action, groupThousands(row.bytes), row.fingerprint, describeChanges(row)]),
    },
    { type: "line", text: `${groupThousands(total)} bytes in all${dryRun ? "; dry run: nothing was written" : ""}`, tone: "muted" },
    ...next,
  ]
}

/** A refusal found while planning an entry's versions, with the file and line it came from. */
function atEntry(error: unknown, entry: PlannedEntry, source: string): unknown {
  if (!(error instanceof LayerError)) return error
  return new LayerError(error.code, `${source} line ${entry.entry.line} (${entry.entry.key}): ${error.message}`, {
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    details: { ...error.details, line: entry.entry.line, key: entry.entry.key },
  })
}

/**
 * The bulk creation failed: what landed is what the provider read back (`details.batch`); no
 * other entry was written (the bulk goes first). Without `details.batch` the request was never
 * sent (the store was not found), so nothing landed.
 */
function bulkStopped(thrown: unknown, bulk: readonly PlannedEntry[], planned: readonly PlannedEntry[], environment: string, source: string): unknown {
  const error = asLayerError(thrown)
  if (!(error instanceof LayerError)) return error
  const names = bulk.map((entry) => entry.target.physicalName)
  const batch = (error.details?.batch as BatchOutcome | undefined) ?? { landed: [], notLanded: names, unknown: [] }
  const others = planned.filter((entry) => !bulk.includes(entry)).map((entry) => describeTarget(entry.target))
  const rest = others.length ? `; the other ${others.length} entr${others.length === 1 ? "y was" : "ies were"} not written: ${few(others)}` : ""
  const message = `import stopped at the bulk creation of ${bulk.length} new secret${bulk.length === 1 ? "" : "s"} from ${source}, ${batch.landed.length} of ${planned.length} written: ${error.message}${rest}`
  const hint = error.details?.batch ? error.hint : `${error.hint ? `${error.hint}; then ` : "fix the cause, then "}run the same import again (\`layer secret list --env ${environment}\` shows what is there)`
  return new LayerError(error.code, message, {
    ...(hint ? { hint } : {}),
    cause: error,
    details: { ...error.details, batch, written: batch.landed.length, total: planned.length, rolledBack: false, writtenSecrets: batch.landed, notWrittenSecrets: [...batch.notLanded, ...others], unknownSecrets: batch.unknown },
  })
}

function few(list: readonly string[]): string {
  return list.length > 5 ? `${list.slice(0, 5).join(", ")} and ${list.length - 5} more` : list.join(", ")
}

function stoppedMidway(thrown: unknown, entry: PlannedEntry, done: readonly PlannedEntry[], planned: readonly PlannedEntry[], environment: string, source: string, rolledBack: boolean): unknown {
  const error = asLayerError(thrown)
  if (!(error instanceof Error)) return error
  const total = planned.length
  const names = done.map(({ target }) => (target.kind === "declared" ? target.secret.declaration.id : target.physicalName))
  const writtenNames = new Set(done.map(({ target }) => target.physicalName))
  const notWritten = planned.filter((plannedEntry) => !writtenNames.has(plannedEntry.target.physicalName)).map((plannedEntry) => describeTarget(plannedEntry.target))
  const written = rolledBack
    ? "; nothing was written (what the import had written before it was put back)"
    : done.length
      ? `; written: ${few(names)}; not written: ${few(notWritten)}`
      : "; nothing was written before it"
  const message = `import stopped at ${source} line ${entry.entry.line} (${describeTarget(entry.target)}), ${done.length} of ${total} written${written}: ${error.message}`
  const cause = (error as { hint?: unknown }).hint
  const rerun = rolledBack ? "run the same import again" : `run the same import again: it rewrites the same values (\`layer secret list --env ${environment}\` shows what is there)`
  const hint = typeof cause === "string" && cause ? `${cause}; then ${rerun}` : `fix the cause, then ${rerun}`
  return new LayerError((error as { code?: string }).code ?? "import_failed", message, {
    hint,
    cause: error,
    details: { line: entry.entry.line, written: done.length, total, rolledBack, writtenSecrets: names, notWrittenSecrets: notWritten },
  })
}

async function readImportFile(file: string): Promise<Uint8Array> {
  try {
    const info = await stat(file)
    if (info.isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" })
    if (info.size > MAX_FILE_BYTES) {
      throw new LayerError("import_file_too_large", `${file} is ${groupThousands(info.size)} bytes; an import file holds at most ${groupThousands(MAX_FILE_BYTES)}`, { hint: "split it, or check that it is the right file" })
    }
    return await readFile(file)
  } catch (error) {
    if (error instanceof LayerError) throw error
    const code = (error as { code?: string }).code
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EISDIR" ? "it is a directory" : `it cannot be read (${code ?? "unknown error"})`
    throw new LayerError("unreadable_import_file", `cannot read ${file}: ${why}; nothing was written`, {
      hint: code === "EACCES" || code === "EPERM" ? `check the file's permissions (ls -l ${file})` : "pass the path of a .env, .dev.vars or JSON file, or pipe it in with --from-stdin",
    })
  }
}

async function readStdin(context: CommandContext): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of context.stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array)
    size += buffer.byteLength
    if (size > MAX_FILE_BYTES) throw new LayerError("import_file_too_large", `stdin holds more than ${groupThousands(MAX_FILE_BYTES)} bytes, more than an import file may`, { hint: "split it, or check what is piped in" })
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}
