/**
 * The provider of a packed environment (docs/design.md#packing): it wraps the environment's
 * real provider and shows everything above it (rotation, deploy, set, import, revoke) one
 * virtual secret per member, under the member's own `lo_` name. Those layers keep their
 * rotation state, anchors and write-ahead intents per member, unchanged; this layer turns a
 * member's write into a rewrite of its pack:
 *
 * - the other members are carried as the sealed copies their rotation states record, each
 *   checked against the member anchor packs.json records, which the pack's comment vouches for;
 * - the member written goes in as sent (new versions plain, carried ones sealed);
 * - packs.json records an intent first (the pack's new anchor), then the pack is written with
 *   that anchor as its comment, then the intent is completed. A kill at any step leaves an
 *   intent the next run settles by the pack's comment (landed iff it is the intent's anchor),
 *   and the member's own intent settles by the member anchor this layer reports: nothing lost,
 *   nothing doubled;
 * - a pack whose `modified` is not the one packs.json recorded was written by someone else (a
 *   teammate's write to another member): refused, never overwritten.
 *
 * A member's virtual metadata: `modified` is the pack's `modified` after the write that last
 * wrote that member (so another member's write does not look like a conflict to it), and
 * `comment` is the member anchor the pack holds. Callers hold the environment lock.
 */
import { parseStoredValue } from "@layeron/modules/envelope"
import type { Envelope } from "@layeron/modules/envelope"
import { LayerError } from "../errors.js"
import { refusedBeforeSending, SecretText } from "../providers/provider.js"
import type { ListPage, SecretMetadata, SecretProvider, StoreRef, UpsertOptions, UpsertResult } from "../providers/provider.js"
import { holdsEnvironmentLock } from "../rotation/lock.js"
import { crashPoint } from "../testing/crash-point.js"
import { packAnchor } from "./anchor.js"
import { packFull, packingNotMigrated } from "./errors.js"
import { PACK_MAX_BYTES, serializePack } from "./format.js"
import { emptyPacksFile, readPacksFile, writePacksFile } from "./packs-file.js"
import { carriedMember, checkPackVouched, settlePacks, withAssignment } from "./packs-state.js"
import type { PackableSecret, PackingContext } from "./packs-state.js"
import type { PackMember, PackRecord, PacksFile } from "./types.js"

interface QueuedWrite {
  name: string
  value: SecretText
  options: UpsertOptions
  resolve: (result: UpsertResult) => void
  reject: (error: unknown) => void
}

export class PackedProvider implements SecretProvider {
  readonly kind = "cloudflare" as const
  readonly #real: SecretProvider
  readonly #context: PackingContext
  readonly #members: Map<string, PackableSecret>
  /** Member writes waiting for the pack rewrite under way (#drain). */
  #queue: QueuedWrite[] = []
  /** A rewrite is under way (the environment lock orders processes; this, one process's writes): its intent in packs.json is not a reader's to settle. */
  #writing = 0

  constructor(real: SecretProvider, context: PackingContext) {
    this.#real = real
    this.#context = context
    this.#members = new Map(context.members.map((member) => [member.physicalName, member]))
  }

  resolveStore(): Promise<StoreRef> {
    return this.#real.resolveStore()
  }

  storeExists(): Promise<boolean> {
    return this.#real.storeExists ? this.#real.storeExists() : Promise.resolve(true)
  }

  capacity(): Promise<{ usage: number; quota: number } | undefined> {
    return this.#real.capacity ? this.#real.capacity() : Promise.resolve(undefined)
  }

  async physicalCreates(names: readonly string[]): Promise<number> {
    const file = await withAssignment(this.#context, await this.#packs())
    const packs = new Set<string>()
    let others = 0
    for (const name of names) {
      const pack = file.packs.find((candidate) => candidate.members.some((member) => member.physicalName === name))
      if (!pack) others++
      else if (pack.anchor === undefined) packs.add(pack.physicalName)
    }
    return others + packs.size
  }

  async listPage(page?: number): Promise<ListPage> {
    // One page holding everything: members are virtual, so the real paging does not apply.
    if (page !== undefined && page > 1) return { secrets: [] }
    return { secrets: await this.listAll() }
  }

  async listAll(): Promise<SecretMetadata[]> {
    const listing = await this.#real.listAll()
    const byName = new Map(listing.map((entry) => [entry.name, entry]))
    const file = await this.#packs(byName)
    const unmigrated = [...this.#members.values()].filter((member) => byName.has(member.physicalName) && !file.packs.some((pack) => pack.members.some((m) => m.physicalName === member.physicalName)))
    if (unmigrated.length > 0) throw packingNotMigrated(this.#context.environment, unmigrated.map((member) => member.declaration.id))
    const packNames = new Set(file.packs.map((pack) => pack.physicalName))
    const virtual = file.packs.flatMap((pack) => this.#virtualMembers(pack, byName.get(pack.physicalName)))
    // A member's old unpacked secret, left until `secret pack` deletes it, is shown once: as the member.
    const shown = new Set([...packNames, ...virtual.map((entry) => entry.name)])
    return [...listing.filter((entry) => !shown.has(entry.name)), ...virtual]
  }

  async find(name: string): Promise<SecretMetadata | undefined> {
    if (!this.#members.has(name)) return this.#real.find(name)
    const file = await this.#packs()
    const pack = file.packs.find((candidate) => candidate.members.some((member) => member.physicalName === name))
    if (!pack) {
      if (await this.#real.find(name)) throw packingNotMigrated(this.#context.environment, [this.#members.get(name)!.declaration.id])
      return undefined
    }
    return this.#virtualMembers(pack, await this.#real.find(pack.physicalName)).find((member) => member.name === name)
  }

  upsert(name: string, value: SecretText, options: UpsertOptions = {}): Promise<UpsertResult> {
    if (!this.#members.has(name)) return this.#real.upsert(name, value, options)
    return new Promise((resolve, reject) => {
      this.#queue.push({ name, value, options, resolve, reject })
      void this.#drain()
    })
  }

  /**
   * Pack rewrites one at a time: two at once would each carry the other's old versions, and
   * the later write would drop the earlier one's new version. Writes queued meanwhile
   * (rotate --apply runs several) go into the next rewrite together, one per member.
   */
  async #drain(): Promise<void> {
    if (this.#writing > 0) return
    this.#writing++
    try {
      while (this.#queue.length > 0) {
        const batch: QueuedWrite[] = []
        for (const write of [...this.#queue]) if (!batch.some((taken) => taken.name === write.name)) batch.push(write)
        this.#queue = this.#queue.filter((write) => !batch.includes(write))
        // Every write of the batch is settled here, whatever fails (settling one twice is a no-op).
        await this.#rewriteBatch(batch).catch((error: unknown) => batch.forEach((write) => write.reject(error)))
      }
    } finally {
      this.#writing--
    }
  }

  /** One rewrite per pack the batch touches; a refusal before the write is retried member by member, so it names only its own. */
  async #rewriteBatch(batch: readonly QueuedWrite[]): Promise<void> {
    const file = await withAssignment(this.#context, await this.#packs(undefined, true))
    const packOf = (name: string) => file.packs.find((candidate) => candidate.members.some((member) => member.physicalName === name))!.physicalName
    for (const pack of new Set(batch.map((write) => packOf(write.name)))) {
      const group = batch.filter((write) => packOf(write.name) === pack)
      const attempt = await this.#rewrite(group)
      if (attempt.ok) continue
      if (group.length === 1 || attempt.sent) {
        for (const write of group) write.reject(attempt.sent ? attempt.error : refusedBeforeSending(attempt.error))
        continue
      }
      for (const write of group) {
        const alone = await this.#rewrite([write])
        if (!alone.ok) write.reject(alone.sent ? alone.error : refusedBeforeSending(alone.error))
      }
    }
  }

  /** Rewrite one pack with the given members' new texts; resolves each write, or says whether the pack was sent before the failure. */
  async #rewrite(group: readonly QueuedWrite[]): Promise<{ ok: true } | { ok: false; sent: boolean; error: unknown }> {
    let sent = false
    try {
      for (const write of group) {
        if (write.options.comment === undefined) throw new LayerError("pack_write_unanchored", `${this.#members.get(write.name)!.declaration.id} is a member of a pack and can only be written with its state anchor; nothing was written`)
      }
      const placed = await withAssignment(this.#context, await this.#packs(undefined, true))
      const pack = placed.packs.find((candidate) => candidate.members.some((member) => member.physicalName === group[0]!.name))!
      const stored = await this.#real.find(pack.physicalName)
      checkPackVouched(this.#context, pack, stored)
      const written = new Map(group.map((write) => [write.name, write]))
      const envelopes: Record<string, Envelope> = {}
      for (const member of pack.members) {
        const mine = written.get(member.physicalName)
        if (mine) envelopes[member.secret] = parseStoredValue(mine.value.reveal()).envelope
        else if (member.anchor !== undefined) envelopes[member.secret] = await carriedMember(this.#context, pack, member)
      }
      const serialized = serializePack(pack.physicalName, envelopes)
      if ("tooLarge" in serialized) throw packFull(pack.physicalName, group.map((write) => this.#members.get(write.name)!.declaration.id).join(", "), serialized.tooLarge, PACK_MAX_BYTES)
      const members: PackMember[] = pack.members.map((member) => (written.has(member.physicalName) ? { ...member, anchor: written.get(member.physicalName)!.options.comment! } : member))
      const anchor = packAnchor(pack.physicalName, members)
      const pending = { pack: pack.physicalName, written: [...written.keys()], members, anchor, ...(stored ? { modifiedBefore: stored.modified } : {}), startedAt: new Date().toISOString() }
      await writePacksFile(this.#context.projectRoot, { ...placed, pending })
      crashPoint("after-pack-intent")
      sent = true
      const result = await this.#real.upsert(pack.physicalName, new SecretText(serialized.text), { comment: anchor })
      crashPoint("after-pack-write")
      // The answer's comment is the one just sent (a store that does not echo it must not undo the record).
      const completed = settlePacks({ ...placed, pending }, () => ({ ...result, comment: anchor }))
      await writePacksFile(this.#context.projectRoot, completed)
      crashPoint("after-pack-record")
      for (const write of group) {
        const wasWritten = pack.members.some((member) => member.physicalName === write.name && member.anchor !== undefined)
        write.resolve({ name: write.name, id: result.id, modified: result.modified, created: result.created, comment: write.options.comment!, action: wasWritten ? "updated" : "created" })
      }
      return { ok: true }
    } catch (error) {
      return { ok: false, sent, error }
    }
  }

  async annotate(name: string, comment: string): Promise<UpsertResult> {
    if (!this.#members.has(name)) return this.#real.annotate(name, comment)
    throw new LayerError("pack_annotate_unsupported", `${this.#members.get(name)!.declaration.id} is a member of a pack: re-anchoring a packed member is not supported yet; nothing was written`, {
      hint: `\`layer secret unpack --env ${this.#context.environment}\`, re-anchor, then pack again`,
    })
  }

  async delete(name: string): Promise<boolean> {
    if (!this.#members.has(name)) return this.#real.delete(name)
    throw new LayerError("pack_delete_unsupported", `${this.#members.get(name)!.declaration.id} is a member of a pack and is still declared: remove its declaration instead; nothing was written`)
  }

  /**
   * packs.json settled against the store, or an empty one. The settled file is written back
   * only under the environment lock: without it, the intent may be another writer's, in flight.
   */
  async #packs(listing?: Map<string, SecretMetadata>, ownRewrite = false): Promise<PacksFile> {
    const { projectRoot, environment } = this.#context
    const file = (await readPacksFile(projectRoot, environment)) ?? emptyPacksFile(environment)
    if (!file.pending) return file
    const metadata = listing?.get(file.pending.pack) ?? (await this.#real.find(file.pending.pack))
    const settled = settlePacks(file, () => metadata)
    if (holdsEnvironmentLock(projectRoot, environment) && (ownRewrite || this.#writing === 0)) await writePacksFile(projectRoot, settled)
    return settled
  }

  /** The members a pack holds, as metadata; a pack not vouched for is refused by name. */
  #virtualMembers(pack: PackRecord, stored: SecretMetadata | undefined): SecretMetadata[] {
    if (!stored && pack.anchor === undefined) return []
    checkPackVouched(this.#context, pack, stored)
    return pack.members
      .filter((member) => member.anchor !== undefined)
      .map((member) => ({ name: member.physicalName, id: stored!.id, modified: member.modified ?? stored!.modified, created: stored!.created, comment: member.anchor! }))
  }
}
