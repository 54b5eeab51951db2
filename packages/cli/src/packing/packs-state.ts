/**
 * packs.json against the store (docs/design.md#packing): the packing context, where each
 * member goes (withAssignment), settling a pack write's intent, and the checks every pack
 * rewrite makes first (the pack is as recorded; a carried member is what the pack holds).
 * Shared by the packed provider (provider.ts) and `secret pack` / `unpack` (migrate.ts).
 */
import type { Envelope } from "@layeron/modules/envelope"
import type { SecretDeclaration } from "@layeron/modules/declare"
import type { SecretMetadata, SecretProvider } from "../providers/provider.js"
import { stateAnchor } from "../rotation/anchor.js"
import { secretStatePath } from "../rotation/paths.js"
import { settleState } from "../rotation/record.js"
import { readSecretState } from "../rotation/state-file.js"
import type { SecretState } from "../rotation/types.js"
import { packAnchor } from "./anchor.js"
import { assignMembers } from "./assign.js"
import { packAnchorMismatch, packConflict, packMemberAnchorMismatch, packMemberTooLarge } from "./errors.js"
import { PACK_MAX_BYTES, packOverheadBytes, packPhysicalName } from "./format.js"
import { emptyPacksFile, packsFilePath, readPacksFile } from "./packs-file.js"
import { memberNeed } from "./sizes.js"
import type { PackMember, PackRecord, PacksFile } from "./types.js"

export interface PackableSecret {
  declaration: SecretDeclaration
  physicalName: string
}

export interface PackingContext {
  projectRoot: string
  environment: string
  owner: { workspace: string; project: string }
  /** The declarations packing covers: declared, no adopted secretName, not the sealing key. */
  members: readonly PackableSecret[]
}

/** Room a pack offers its members (the limit less its own wrapper). */
export async function packRoom(context: Pick<PackingContext, "owner" | "environment">): Promise<number> {
  return PACK_MAX_BYTES - packOverheadBytes(await packName(context, 0)) - 64
}

export function packName(context: Pick<PackingContext, "owner" | "environment">, index: number): Promise<string> {
  return packPhysicalName(context.owner.workspace, context.owner.project, context.environment, index)
}

/** packs.json with a pending pack write settled against the pack's metadata (in memory). */
export function settlePacks(file: PacksFile, packMetadata: (name: string) => SecretMetadata | undefined): PacksFile {
  const pending = file.pending
  if (!pending) return file
  const { pending: _settled, ...rest } = file
  const stored = packMetadata(pending.pack)
  if (stored?.comment !== pending.anchor) return rest
  return {
    ...rest,
    packs: rest.packs.map((pack) =>
      pack.physicalName !== pending.pack
        ? pack
        : {
            ...pack,
            anchor: pending.anchor,
            modified: stored.modified,
            secretId: stored.id,
            members: pending.members.map((member) => (pending.written.includes(member.physicalName) ? { ...member, modified: stored.modified } : member)),
          },
    ),
  }
}

/**
 * packs.json with every member placed: the recorded ones where they are, the others by
 * first-fit in id order (assign.ts). Deterministic, so deploy's plan (the manifest it bundles)
 * and its writes agree on where a new member goes.
 */
export async function withAssignment(context: PackingContext, file: PacksFile): Promise<PacksFile> {
  const recorded = new Set(file.packs.flatMap((pack) => pack.members.map((member) => member.physicalName)))
  if (context.members.every((member) => recorded.has(member.physicalName))) return file
  const declared = new Map(context.members.map((member) => [member.physicalName, member]))
  const needs = []
  for (const member of [...file.packs.flatMap((pack) => pack.members), ...context.members.filter((candidate) => !recorded.has(candidate.physicalName)).map(({ declaration, physicalName }) => ({ secret: declaration.id, physicalName }))]) {
    const own = declared.get(member.physicalName)
    const state = await readSecretState(context.projectRoot, context.environment, member.physicalName)
    needs.push(own ? memberNeed(own.declaration, member.physicalName, state) : { secret: member.secret, physicalName: member.physicalName, bytes: 0, reserve: 0 })
  }
  const room = await packRoom(context)
  const assignment = assignMembers(
    file.packs.map((pack) => ({ index: pack.index, members: pack.members.map((member) => member.physicalName) })),
    needs,
    room,
  )
  if (!assignment.ok) throw packMemberTooLarge(await packName(context, assignment.index), assignment.member.secret, assignment.budget, room)
  const packs: PackRecord[] = [...file.packs]
  for (const { index, physicalName } of assignment.placed) {
    const record = packs[index] ?? { index, physicalName: await packName(context, index), members: [] }
    const member = { secret: declared.get(physicalName)!.declaration.id, physicalName }
    packs[index] = { ...record, members: [...record.members, member].sort((a, b) => (a.secret < b.secret ? -1 : 1)) }
  }
  return { ...file, packs }
}

/** The binding plan's view of the packs: declaration ids per pack (docs/design.md#packing). */
export function packPlacements(file: PacksFile): Array<{ physicalName: string; members: string[] }> {
  return file.packs.filter((pack) => pack.members.length > 0).map((pack) => ({ physicalName: pack.physicalName, members: pack.members.map((member) => member.secret) }))
}

/** packs.json as the store stands: read, its pending write settled in memory, every member placed. */
export async function currentPacks(context: PackingContext, real: Pick<SecretProvider, "find">): Promise<PacksFile> {
  const file = (await readPacksFile(context.projectRoot, context.environment)) ?? emptyPacksFile(context.environment)
  const metadata = file.pending ? await real.find(file.pending.pack) : undefined
  return withAssignment(context, settlePacks(file, () => metadata))
}

/** The pack is as packs.json last recorded it: same comment (anchor) and same `modified`. Throws naming pack and members. */
export function checkPackVouched(context: Pick<PackingContext, "projectRoot" | "environment">, pack: PackRecord, stored: SecretMetadata | undefined): void {
  const file = packsFilePath(context.projectRoot, context.environment)
  const names = pack.members.map((member) => member.secret)
  if (pack.anchor === undefined) {
    if (stored) throw packConflict(pack.physicalName, names, file, stored.modified, undefined, context.environment)
    return
  }
  if (!stored) throw packAnchorMismatch(pack.physicalName, names, file, undefined, pack.anchor)
  if (stored.modified !== pack.modified) throw packConflict(pack.physicalName, names, file, stored.modified, pack.modified, context.environment)
  const expected = packAnchor(pack.physicalName, pack.members)
  if (stored.comment !== pack.anchor || expected !== pack.anchor) throw packAnchorMismatch(pack.physicalName, names, file, stored.comment, expected)
}

/** A member as its state's sealed copies, if that state is what the pack holds (its anchor is the member anchor recorded). */
export async function carriedMember(context: Pick<PackingContext, "projectRoot" | "environment">, pack: PackRecord, member: PackMember): Promise<Envelope> {
  const raw = await readSecretState(context.projectRoot, context.environment, member.physicalName)
  const state = raw && settleState(raw, { name: member.physicalName, id: pack.secretId ?? "", modified: member.modified ?? "", created: "", ...(member.anchor ? { comment: member.anchor } : {}) })
  const file = secretStatePath(context.projectRoot, context.environment, member.physicalName)
  if (!state?.current || stateAnchor(member.physicalName, { current: state.current, versions: state.versions }) !== member.anchor) {
    throw packMemberAnchorMismatch(pack.physicalName, member.secret, file)
  }
  return sealedEnvelope(state.current, state.versions)
}

/** The envelope of a state's sealed copies (what a carried member or an unpacked member is written as). */
export function sealedEnvelope(current: string, versions: SecretState["versions"]): Envelope {
  return {
    current,
    versions: Object.fromEntries(Object.entries(versions).map(([id, { sealed, createdAt, expiresAt }]) => [id, { sealed, ...(createdAt ? { createdAt } : {}), ...(expiresAt ? { expiresAt } : {}) }])),
  }
}

