/**
 * `layer secret pack` and `layer secret unpack` (docs/design.md#packing): move an
 * environment's values into packs or back out, in an order with no moment a running Worker
 * cannot read a secret:
 *
 * 1. write the new physical secrets (packs, or the members' own secrets), each from the sealed
 *    copies of the rotation state, checked against the store's anchors first;
 * 2. redeploy, so the Secret Product Worker binds the new ones (the command runs `deploy`);
 * 3. only then delete the old ones.
 *
 * Each step is safe to repeat: a rerun plans from what the store and packs.json now say (a
 * pack write records an intent in packs.json first; an unpacked write goes through the
 * member's own write-ahead record), so a run killed anywhere converges.
 */
import type { SecretProvider, SecretMetadata } from "../providers/provider.js"
import { SecretText } from "../providers/provider.js"
import { serializeEnvelope } from "@layeron/modules/envelope"
import { LayerError } from "../errors.js"
import { stateAnchor, verifyAnchor } from "../rotation/anchor.js"
import { secretStatePath } from "../rotation/paths.js"
import { settleState, writeRecorded } from "../rotation/record.js"
import { readSecretState } from "../rotation/state-file.js"
import type { SecretState } from "../rotation/types.js"
import { crashPoint } from "../testing/crash-point.js"
import { packAnchor } from "./anchor.js"
import { packFull, packMemberAnchorMismatch } from "./errors.js"
import { PACK_MAX_BYTES, serializePack } from "./format.js"
import { emptyPacksFile, readPacksFile, writePacksFile } from "./packs-file.js"
import { carriedMember, checkPackVouched, sealedEnvelope, settlePacks, withAssignment } from "./packs-state.js"
import type { PackableSecret, PackingContext } from "./packs-state.js"
import type { PackMember, PacksFile } from "./types.js"

export interface MigrationContext extends PackingContext {
  /** The environment's real provider (never the packed view). */
  real: SecretProvider
  sealingKeyName: string
}

export interface MigrationPlan {
  direction: "pack" | "unpack"
  /** Step 1: physical secrets written, with the declarations each holds afterwards. */
  writes: Array<{ physicalName: string; members: string[] }>
  /** Step 3, after the redeploy: old physical secrets deleted. */
  deletes: string[]
  /** This environment's physical secrets (sealing key included) before and after. */
  physicalBefore: number
  physicalAfter: number
}

interface Observed {
  listing: Map<string, SecretMetadata>
  file: PacksFile
}

/** The store's listing and packs.json with its intent settled; `persist` (callers holding the lock) writes the settled file back. */
async function observe(context: MigrationContext, persist = false): Promise<Observed> {
  const listing = new Map((await context.real.listAll()).map((entry) => [entry.name, entry]))
  const raw = (await readPacksFile(context.projectRoot, context.environment)) ?? emptyPacksFile(context.environment)
  const file = settlePacks(raw, (name) => listing.get(name))
  if (persist && raw.pending) await writePacksFile(context.projectRoot, file)
  return { listing, file }
}

/** A member's state, settled against its own unpacked secret, refused unless the store vouches for it. */
async function vouchedUnpacked(context: MigrationContext, member: PackableSecret, metadata: SecretMetadata, pack: string): Promise<SecretState> {
  const raw = await readSecretState(context.projectRoot, context.environment, member.physicalName)
  const state = raw && settleState(raw, metadata)
  const file = secretStatePath(context.projectRoot, context.environment, member.physicalName)
  if (!state?.current) {
    throw new LayerError("no_state", `${member.declaration.id} (${member.physicalName}) holds a value but has no rotation state (${file}), so it cannot be carried into pack ${pack} (the CLI never reads values back); nothing was written`, {
      hint: `\`git pull\`, or write it once with \`layer secret set ${member.declaration.id} --env ${context.environment}\` so its state exists`,
      details: { pack, member: member.declaration.id, file },
    })
  }
  if (state.provider.modified !== metadata.modified) {
    throw new LayerError("rotation_conflict", `${member.declaration.id} (${member.physicalName}) was written outside this checkout's state (the store says modified ${metadata.modified}, ${file} ${state.provider.modified ?? "never"}), so it cannot be carried into pack ${pack}; nothing was written`, {
      hint: "`git pull` and run again",
      details: { pack, member: member.declaration.id, file },
    })
  }
  if (verifyAnchor(stateAnchor(member.physicalName, { current: state.current, versions: state.versions }), metadata.comment).status === "mismatch") {
    throw packMemberAnchorMismatch(pack, member.declaration.id, file)
  }
  return state
}

export async function planPack(context: MigrationContext): Promise<MigrationPlan> {
  const { listing, file } = await observe(context)
  for (const pack of file.packs) checkPackVouched(context, pack, listing.get(pack.physicalName))
  const placed = await withAssignment(context, file)
  const writes: MigrationPlan["writes"] = []
  const deletes: string[] = []
  for (const pack of placed.packs) {
    const moving = pack.members.filter((member) => member.anchor === undefined && listing.has(member.physicalName))
    for (const member of moving) await vouchedUnpacked(context, memberOf(context, member.physicalName), listing.get(member.physicalName)!, pack.physicalName)
    deletes.push(...pack.members.filter((member) => member.anchor !== undefined && listing.has(member.physicalName)).map((member) => member.physicalName))
    if (moving.length > 0) writes.push({ physicalName: pack.physicalName, members: pack.members.filter((member) => member.anchor !== undefined || listing.has(member.physicalName)).map((member) => member.secret) })
  }
  const packedAfter = placed.packs.filter((pack) => pack.members.some((member) => member.anchor !== undefined || listing.has(member.physicalName))).length
  return counted(context, listing, placed, { direction: "pack", writes, deletes: [...deletes, ...writes.flatMap((write) => movedNames(placed, write.physicalName, listing))] }, packedAfter)
}

/** Step 1 of `pack`: each pack written with the members moving in (their sealed copies, unchanged). */
export async function applyPackWrites(context: MigrationContext, startedAt: Date): Promise<void> {
  const { listing, file } = await observe(context, true)
  let placed = await withAssignment(context, file)
  for (const pack of placed.packs) {
    const moving = pack.members.filter((member) => member.anchor === undefined && listing.has(member.physicalName))
    if (moving.length === 0) continue
    const stored = listing.get(pack.physicalName)
    checkPackVouched(context, pack, stored)
    const envelopes: Record<string, ReturnType<typeof sealedEnvelope>> = {}
    const members: PackMember[] = []
    for (const member of pack.members) {
      if (member.anchor !== undefined) {
        envelopes[member.secret] = await carriedMember(context, pack, member)
        members.push(member)
      } else if (listing.has(member.physicalName)) {
        const state = await vouchedUnpacked(context, memberOf(context, member.physicalName), listing.get(member.physicalName)!, pack.physicalName)
        envelopes[member.secret] = sealedEnvelope(state.current!, state.versions)
        // The member's state is unchanged (same versions, same anchor): its virtual `modified` stays the one it records.
        members.push({ ...member, anchor: stateAnchor(member.physicalName, { current: state.current!, versions: state.versions }), ...(state.provider.modified ? { modified: state.provider.modified } : {}) })
      } else members.push(member)
    }
    const serialized = serializePack(pack.physicalName, envelopes)
    if ("tooLarge" in serialized) throw packFull(pack.physicalName, moving.map((member) => member.secret).join(", "), serialized.tooLarge, PACK_MAX_BYTES)
    const anchor = packAnchor(pack.physicalName, members)
    const pending = { pack: pack.physicalName, written: [], members, anchor, ...(stored ? { modifiedBefore: stored.modified } : {}), startedAt: startedAt.toISOString() }
    await writePacksFile(context.projectRoot, { ...placed, pending })
    crashPoint("after-pack-intent")
    const result = await context.real.upsert(pack.physicalName, new SecretText(serialized.text), { comment: anchor })
    crashPoint("after-pack-write")
    placed = settlePacks({ ...placed, pending }, () => ({ ...result, comment: anchor }))
    await writePacksFile(context.projectRoot, placed)
  }
}

export async function planUnpack(context: MigrationContext): Promise<MigrationPlan> {
  const { listing, file } = await observe(context)
  const writes: MigrationPlan["writes"] = []
  const deletes: string[] = []
  for (const pack of file.packs.filter((candidate) => candidate.anchor !== undefined)) {
    const stored = listing.get(pack.physicalName)
    if (!pack.retired) checkPackVouched(context, pack, stored)
    for (const member of pack.members.filter((candidate) => candidate.anchor !== undefined && !unpackedAlready(candidate, listing))) {
      await carriedMember(context, pack, member)
      writes.push({ physicalName: member.physicalName, members: [member.secret] })
    }
    if (stored) deletes.push(pack.physicalName)
  }
  const unpackedAfter = context.members.filter((member) => listing.has(member.physicalName) || writes.some((write) => write.physicalName === member.physicalName)).length
  const plan = { direction: "unpack" as const, writes, deletes }
  return { ...plan, physicalBefore: physicalCount(context, listing, file), physicalAfter: unpackedAfter + (listing.has(context.sealingKeyName) ? 1 : 0) }
}

/** Step 1 of `unpack`: each member written back to its own secret through its write-ahead record; then the packs are marked retired. */
export async function applyUnpackWrites(context: MigrationContext, command: string, at: Date): Promise<void> {
  const { listing, file } = await observe(context, true)
  const sealing = { projectRoot: context.projectRoot, environment: context.environment, provider: context.real, sealingKeyName: context.sealingKeyName }
  for (const pack of file.packs.filter((candidate) => candidate.anchor !== undefined && !candidate.retired)) {
    checkPackVouched(context, pack, listing.get(pack.physicalName))
    for (const member of pack.members.filter((candidate) => candidate.anchor !== undefined && !unpackedAlready(candidate, listing))) {
      const envelope = await carriedMember(context, pack, member)
      const { declaration } = memberOf(context, member.physicalName)
      await writeRecorded({ context: sealing, declaration, physicalName: member.physicalName, stored: envelope, text: new SecretText(serializeEnvelope(envelope)), action: "unpack", command, at, before: null })
    }
  }
  await writePacksFile(context.projectRoot, { ...file, packs: file.packs.map((pack) => (pack.anchor !== undefined ? { ...pack, retired: true as const } : pack)) })
}

/** Step 3: delete the old physical secrets the plan names (after the redeploy bound the new ones). */
export async function deleteOld(context: MigrationContext, plan: MigrationPlan): Promise<string[]> {
  const deleted: string[] = []
  for (const name of plan.deletes) {
    if (await context.real.delete(name)) deleted.push(name)
    crashPoint("after-old-delete")
  }
  if (plan.direction === "unpack") {
    const file = await readPacksFile(context.projectRoot, context.environment)
    if (file) await writePacksFile(context.projectRoot, { ...file, packs: file.packs.filter((pack) => !pack.retired) })
  }
  return deleted
}

/**
 * A member already written back to its own secret by this unpack: that secret carries the
 * member's anchor. An older leftover of the member's own name (from a pack that stopped before
 * deleting it) holds older versions and is written over.
 */
function unpackedAlready(member: PackMember, listing: Map<string, SecretMetadata>): boolean {
  return member.anchor !== undefined && listing.get(member.physicalName)?.comment === member.anchor
}

function memberOf(context: PackingContext, physicalName: string): PackableSecret {
  const member = context.members.find((candidate) => candidate.physicalName === physicalName)
  if (!member) throw new LayerError("pack_member_undeclared", `packs.json names ${physicalName}, which no declaration of this environment has; nothing was written`, { hint: "restore packs.json from version control" })
  return member
}

function movedNames(placed: PacksFile, pack: string, listing: Map<string, SecretMetadata>): string[] {
  return placed.packs.find((candidate) => candidate.physicalName === pack)!.members.filter((member) => member.anchor === undefined && listing.has(member.physicalName)).map((member) => member.physicalName)
}

/** This environment's secrets in the store: the sealing key, members stored unpacked, and its packs. */
function physicalCount(context: MigrationContext, listing: Map<string, SecretMetadata>, file: PacksFile): number {
  const ours = new Set([context.sealingKeyName, ...context.members.map((member) => member.physicalName), ...file.packs.map((pack) => pack.physicalName)])
  return [...listing.keys()].filter((name) => ours.has(name)).length
}

function counted(context: MigrationContext, listing: Map<string, SecretMetadata>, file: PacksFile, plan: Omit<MigrationPlan, "physicalBefore" | "physicalAfter">, packs: number): MigrationPlan {
  return { ...plan, physicalBefore: physicalCount(context, listing, file), physicalAfter: packs + (listing.has(context.sealingKeyName) ? 1 : 0) }
}
