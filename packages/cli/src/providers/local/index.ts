/**
 * The local provider, the embedded default (docs/design.md#providers): one encrypted file per secret under
 * `.layeron/local/<env>/`, with the key in LAYERON_HOME (never in the project). It honours
 * the same write-only interface as Cloudflare; only `layer dev` reads values back, through
 * `decryptAll`, which is deliberately not part of SecretProvider.
 *
 * Every file is replaced atomically; each read-modify-write (keeping `id` and `created`,
 * moving `modified` forward) runs under the store's lock, so two processes writing at once
 * cannot lose an update or disagree on a secret's id.
 */
import { createHmac, randomBytes } from "node:crypto"
import { access, mkdir, readdir, rename, unlink } from "../../fs/io.js"
import { join } from "node:path"
import { CLOUDFLARE_SECRET_NAME_PATTERN } from "@layeron/modules/limits"
import { isLayerError, LayerError } from "../../errors.js"
import { writeFileAtomic } from "../../fs/atomic.js"
import { loadOrCreateKeyFile } from "../../fs/key-file.js"
import { withFileLock } from "../../fs/lock.js"
import { localStoreDir, localStoreKeyPath } from "../../paths.js"
import { SecretText } from "../provider.js"
import { checkSecretValue } from "../secret-checks.js"
import type { ListPage, SecretMetadata, SecretProvider, StoreRef, UpsertOptions, UpsertResult } from "../provider.js"
import { decryptValue, encryptValue } from "./cipher.js"
import { associatedData, decodePayload, encodePayload, LOCAL_RECORD_FORMAT, parseRecord, serializeRecord } from "./record.js"
import type { LocalRecord, RecordOwner, RecordPayload } from "./record.js"
import { readTextIfExists } from "../../fs/read-if-exists.js"
import { assertSafePath, makeDirectory } from "../../fs/safe-path.js"
import { quoteInput } from "../../output/quote.js"
import { localRecordUnreadable, unreadableRecordComment } from "./unreadable.js"
import { allOrNothing } from "./transaction.js"
import { futureTimeWarning } from "../../clock-skew.js"

export { LOCAL_RECORD_FORMAT } from "./record.js"

export { UNREADABLE_RECORD_ANCHOR, unreadableRecordFile } from "./unreadable.js"
export type { LocalRecord } from "./record.js"

/** Secrets per page of `listPage`, like a Cloudflare page. */
export const LOCAL_PAGE_SIZE = 100

export interface LocalProviderOptions {
  projectRoot: string
  environment: string
  /** LAYERON_HOME: where the store key lives. */
  home: string
  /** The project's ownership fields: bound into every record's associated data. */
  owner: { workspace: string; project: string }
  now?: () => Date
  /** Where a store key file narrowed to 0600 is reported (default: stderr). */
  warn?: (message: string) => void
}

export class LocalSecretProvider implements SecretProvider {
  readonly kind = "local" as const
  readonly directory: string
  readonly #environment: string
  readonly #keyPath: string
  readonly #owner: RecordOwner
  readonly #now: () => Date
  readonly #warn: ((message: string) => void) | undefined
  #key: Promise<Buffer> | undefined

  constructor(options: LocalProviderOptions) {
    this.directory = localStoreDir(options.projectRoot, options.environment)
    this.#environment = options.environment
    this.#keyPath = localStoreKeyPath(options.home)
    this.#owner = { workspace: options.owner.workspace, project: options.owner.project, environment: options.environment }
    this.#now = options.now ?? (() => new Date())
    this.#warn = options.warn
  }

  async resolveStore(): Promise<StoreRef> {
    return { id: `local:${this.#environment}`, name: `local store of "${this.#environment}"` }
  }

  async listPage(page = 1): Promise<ListPage> {
    if (!Number.isInteger(page) || page < 1) throw new RangeError(`listPage: page must be a positive integer (got ${page})`)
    const names = await this.#names()
    const slice = names.slice((page - 1) * LOCAL_PAGE_SIZE, page * LOCAL_PAGE_SIZE)
    const secrets: SecretMetadata[] = []
    for (const name of slice) {
      const record = await this.#read(name)
      if (record) secrets.push(await this.#metadata(record))
    }
    return page * LOCAL_PAGE_SIZE < names.length ? { secrets, nextPage: page + 1 } : { secrets }
  }

  async listAll(): Promise<SecretMetadata[]> {
    const all: SecretMetadata[] = []
    let page: number | undefined = 1
    while (page !== undefined) {
      const result: ListPage = await this.listPage(page)
      all.push(...result.secrets)
      page = result.nextPage
    }
    return all
  }

  async find(name: string): Promise<SecretMetadata | undefined> {
    checkName(name)
    const record = await this.#read(name)
    return record ? this.#metadata(record) : undefined
  }

  async upsert(name: string, value: SecretText, options: UpsertOptions = {}): Promise<UpsertResult> {
    checkName(name)
    // Cloudflare's size rule here too: a value that fits only locally would fail at deploy.
    checkSecretValue(name, value)
    const key = await this.#storeKey()
    await makeDirectory(this.directory, 0o700)
    return this.#locked(async () => {
      if ((await readTextIfExists(this.#keyIdFile())) === undefined) await writeFileAtomic(this.#keyIdFile(), `${JSON.stringify({ format: KEY_ID_FORMAT, keyId: keyId(key) })}\n`, 0o600)
      let existing = await this.#read(name)
      if (existing && !(await this.#opens(existing))) {
        if (!options.replaceUnreadable) throw localRecordUnreadable(this.#file(name), name, this.#keyPath)
        await this.#setAside(name)
        existing = undefined
      }
      const now = this.#now().getTime()
      // Strictly later than the previous write, even within one millisecond or if the
      // clock stepped back: rotation detects foreign writes by a change of `modified`.
      const modified = new Date(existing ? Math.max(now, Date.parse(existing.modified) + 1) : now).toISOString()
      const payload: RecordPayload = { value: value.reveal(), ...(options.comment === undefined ? {} : { comment: options.comment }) }
      const record = this.#seal(key, { name, id: existing?.id ?? randomBytes(16).toString("hex"), created: existing?.created ?? modified, modified }, payload)
      await writeFileAtomic(this.#file(name), serializeRecord(record), 0o600)
      return { ...metadataOf(record, payload), action: existing ? "updated" : "created" }
    })
  }

  async annotate(name: string, comment: string): Promise<UpsertResult> {
    checkName(name)
    const key = await this.#storeKey()
    return this.#locked(async () => {
      const existing = await this.#read(name)
      if (!existing) {
        throw new LayerError("secret_not_found", `${name} is not in the local store of "${this.#environment}", so its comment cannot be written`, { hint: "write its value first (`layer secret set` or `layer deploy`)" })
      }
      const { value } = await this.#open(existing)
      const modified = new Date(Math.max(this.#now().getTime(), Date.parse(existing.modified) + 1)).toISOString()
      const payload: RecordPayload = { value, comment }
      const record = this.#seal(key, { name, id: existing.id, created: existing.created, modified }, payload)
      await writeFileAtomic(this.#file(name), serializeRecord(record), 0o600)
      return { ...metadataOf(record, payload), action: "updated" }
    })
  }

  async delete(name: string): Promise<boolean> {
    checkName(name)
    return this.#locked(async () => {
      try {
        await unlink(this.#file(name))
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
        throw error
      }
    })
  }

  /**
   * Run `batch` (writes through this provider, and the rotation state kept in this store's
   * folder) so that all of it lands or none of it does (`secret import`): the store stays
   * locked for the whole batch, and a failure puts every file back (transaction.ts).
   */
  async transaction<T>(batch: () => Promise<T>): Promise<T> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 })
    return this.#locked(() => allOrNothing(this.directory, batch, this.#warn ?? stderrWarning))
  }

  /** Every value in the store, decrypted: for `layer dev` only (values stay wrapped). */
  async decryptAll(): Promise<Map<string, SecretText>> {
    const values = new Map<string, SecretText>()
    const names = await this.#names()
    if (names.length === 0) return values
    for (const name of names) {
      const record = await this.#read(name)
      if (!record) continue
      values.set(name, new SecretText((await this.#open(record)).value))
    }
    return values
  }

  #seal(key: Buffer, fields: Pick<LocalRecord, "name" | "id" | "created" | "modified">, payload: RecordPayload): LocalRecord {
    const head = { format: LOCAL_RECORD_FORMAT, ...fields } as const
    return { ...head, ciphertext: encryptValue(key, associatedData(head, this.#owner), encodePayload(payload)) }
  }

  /**
   * A record's metadata. One that does not decrypt here (written under another workspace or
   * project name, copied, edited) is still listed, so the store can be inspected and the
   * secret overwritten, but its comment is an anchor no state can match: every check that
   * would trust it refuses, and its value is never served.
   */
  async #metadata(record: LocalRecord): Promise<SecretMetadata> {
    try {
      return metadataOf(record, await this.#open(record))
    } catch (error) {
      if (!isLayerError(error) || error.code !== "local_record_unreadable") throw error
      const file = this.#file(record.name)
      if (!reportedUnreadable.has(file)) {
        reportedUnreadable.add(file)
        ;(this.#warn ?? stderrWarning)(`${error.message.replace(/; nothing was written$/, "")} (local_record_unreadable)`)
      }
      return { ...metadataOf(record, { value: "" }), comment: unreadableRecordComment(file) }
    }
  }

  async #opens(record: LocalRecord): Promise<boolean> {
    try {
      await this.#open(record)
      return true
    } catch (error) {
      if (isLayerError(error) && error.code === "local_record_unreadable") return false
      throw error
    }
  }

  /**
   * Move an unreadable record out of the store's namespace (`.NAME.json.unreadable-<time>`,
   * which no listing reads), so a replacement written on purpose starts a new record and the
   * old bytes stay for whoever wants to examine or restore them.
   */
  async #setAside(name: string): Promise<void> {
    const aside = join(this.directory, `.${name}.json.unreadable-${this.#now().toISOString().replace(/[:.]/g, "-")}`)
    await rename(this.#file(name), aside)
    ;(this.#warn ?? stderrWarning)(`the unreadable record ${this.#file(name)} was moved to ${aside}`)
  }

  /**
   * Set aside an unreadable record of `name` before a replacement is written on purpose
   * (`secret set --replace-all`); false when the record is absent or decrypts.
   */
  async setAsideUnreadable(name: string): Promise<boolean> {
    checkName(name)
    await this.#storeKey()
    return this.#locked(async () => {
      const existing = await this.#read(name)
      if (!existing || (await this.#opens(existing))) return false
      await this.#setAside(name)
      return true
    })
  }

  /**
   * Decrypt a record, refusing one that does not belong here: written with another key,
   * copied from another environment or project, or with an edited id or `modified`.
   */
  async #open(record: LocalRecord): Promise<RecordPayload> {
    const key = await this.#storeKey()
    const plaintext = decryptValue(key, associatedData(record, this.#owner), record.ciphertext)
    const payload = plaintext === undefined ? undefined : decodePayload(record.format, plaintext)
    if (payload === undefined) throw localRecordUnreadable(this.#file(record.name), record.name, this.#keyPath)
    return payload
  }

  #file(name: string): string {
    return join(this.directory, `${name}.json`)
  }

  async #names(): Promise<string[]> {
    let entries: string[]
    await assertSafePath(this.directory)
    try {
      entries = await readdir(this.directory)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
      throw error
    }
    return entries
      .filter((entry) => entry.endsWith(".json") && CLOUDFLARE_SECRET_NAME_PATTERN.test(entry.slice(0, -5)))
      .map((entry) => entry.slice(0, -5))
      .sort()
  }

  async #read(name: string): Promise<LocalRecord | undefined> {
    const file = this.#file(name)
    const text = await readTextIfExists(file)
    if (text === undefined) return undefined
    const record = parseRecord(text, file, name)
    this.#warnFutureTimes(file, record)
    return record
  }

  /** A record `modified` in the future (another machine's clock): said once per file, with the skew. */
  #warnFutureTimes(file: string, record: LocalRecord): void {
    if (reportedFuture.has(file)) return
    const warning = futureTimeWarning(`the local record ${file}`, [record.created, record.modified], this.#now(), "rotation sees that time as the secret's last write")
    if (!warning) return
    reportedFuture.add(file)
    ;(this.#warn ?? stderrWarning)(warning)
  }

  /**
   * Refuse now if the store was encrypted with a key this LAYERON_HOME does not have, before a
   * caller records anything about a write (rotation state, a pending intent). Creates nothing.
   */
  async checkStoreKey(): Promise<void> {
    if ((await this.#names()).length > 0) await this.#storeKey()
  }

  #storeKey(): Promise<Buffer> {
    this.#key ??= this.#openStoreKey()
    return this.#key
  }

  /**
   * The user's key, checked against the store before anything is written with it: a store
   * encrypted with another key (a new laptop, a wiped or different LAYERON_HOME) is refused
   * as a whole, rather than mixed with records only the new key opens. No key is created then.
   */
  async #openStoreKey(): Promise<Buffer> {
    const names = await this.#names()
    if (names.length > 0 && !(await fileExists(this.#keyPath))) throw this.#keyLost(names.length, "missing")
    const key = await loadOrCreateKeyFile(this.#keyPath, 32, "the local store key", ...(this.#warn ? [this.#warn] : []))
    if (names.length === 0) return key
    // The store names its key by an HMAC of it (never the key); a tampered record is then
    // decryptAll's to report, not mistaken for a lost key.
    const recorded = recordedKeyId(await readTextIfExists(this.#keyIdFile()))
    if (recorded !== undefined) {
      if (recorded === keyId(key)) return key
      throw this.#keyLost(names.length, "other")
    }
    // A store written before it named its key: one record that opens proves the key.
    for (const name of names) {
      const record = await this.#read(name)
      if (record && decryptValue(key, associatedData(record, this.#owner), record.ciphertext) !== undefined) return key
    }
    throw this.#keyLost(names.length, "other")
  }

  /** `.layeron/local/<env>/.key-id.json`: which user key this store was written with (not a secret name: it starts with a dot). */
  #keyIdFile(): string {
    return join(this.directory, ".key-id.json")
  }

  #keyLost(count: number, why: "missing" | "other"): LayerError {
    const what = why === "missing" ? `there is no key at ${this.#keyPath}` : `the key at ${this.#keyPath} is another one`
    return new LayerError(
      "local_store_key_lost",
      `the local store of "${this.#environment}" (${this.directory}, ${count} ${count === 1 ? "secret" : "secrets"}) was encrypted with a key this LAYERON_HOME does not have: ${what} (a new machine, or a wiped or different LAYERON_HOME); nothing was written`,
      {
        hint:
          `restore ${this.#keyPath} from a backup (or set LAYERON_HOME back to the old one); otherwise start "${this.#environment}" afresh with ` +
          `\`layer secret reset-local --env ${this.#environment}\` (it deletes this environment's local values, its sealing key and its rotation history; ` +
          "shared environments are not touched), then `layer deploy --env " + this.#environment + "`",
        details: { store: this.directory, key: this.#keyPath },
      },
    )
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(join(this.directory, ".lock"), fn, { describe: `the local store of "${this.#environment}"` })
  }
}

/** Unreadable records already reported in this process (one warning per file per command, however many providers). */
const reportedUnreadable = new Set<string>()
/** Records with times from the future already reported in this process. */
const reportedFuture = new Set<string>()

const stderrWarning = (message: string): void => void process.stderr.write(`warning: ${message}\n`)

export function createLocalProvider(options: LocalProviderOptions): LocalSecretProvider {
  return new LocalSecretProvider(options)
}

const KEY_ID_FORMAT = "layeron.local-store-key/v1"

/** The key id a store recorded; undefined when it recorded none (or the file is unreadable JSON: then records decide). */
function recordedKeyId(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  try {
    const id = (JSON.parse(text) as { keyId?: unknown }).keyId
    return typeof id === "string" ? id : undefined
  } catch {
    return undefined
  }
}

/** A key's public name: HMAC-SHA-256 of a fixed label, 32 hex digits; it reveals nothing of the key. */
function keyId(key: Buffer): string {
  return createHmac("sha256", key).update("layeron.local-store-key/v1").digest("hex").slice(0, 32)
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false
    throw error
  }
}

function metadataOf(record: LocalRecord, payload: RecordPayload): SecretMetadata {
  return { name: record.name, id: record.id, created: record.created, modified: record.modified, ...(payload.comment ? { comment: payload.comment } : {}) }
}

/** Names become file names: only Cloudflare's alphabet gets near the filesystem. */
function checkName(name: string): void {
  if (!CLOUDFLARE_SECRET_NAME_PATTERN.test(name)) {
    throw new LayerError("invalid_secret_name", `${quoteInput(name)} is not a valid secret name: letters, digits, _ and -, 1 to 255 characters`, {
      hint: "use a Cloudflare secret name such as STRIPE_SECRET",
    })
  }
}
