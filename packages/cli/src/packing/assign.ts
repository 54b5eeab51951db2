/**
 * Which pack each member goes to (docs/design.md#packing): deterministic first-fit in
 * declaration-id order. Members already assigned never move (packs.json keeps them), so a new
 * declaration only ever joins a pack with room or opens the next one.
 *
 * The reserve rule: a member is budgeted at the bytes it holds now plus one more of its largest
 * version (the next rotation adds one version: a new current, or a key pair's fresh next key;
 * retained versions expire later). A member with no value yet is budgeted at two versions of
 * the size its declaration implies (sizes.ts). A pack takes a member only if every budget,
 * the new one included, fits in the pack's room; a member whose budget alone exceeds the room
 * is refused by name.
 */
export interface MemberNeed {
  secret: string
  physicalName: string
  /** Bytes the member takes in a pack now (memberByteLength). */
  bytes: number
  /** Bytes kept free for its next rotation. */
  reserve: number
}

export interface PackLoad {
  index: number
  members: readonly string[]
}

export type Assignment = { ok: true; packs: PackLoad[]; placed: Array<{ physicalName: string; index: number }> } | { ok: false; member: MemberNeed; index: number; budget: number }

/**
 * `existing`: the packs as recorded (their members stay); `needs`: every member, placed or
 * not; `room`: bytes a pack offers its members (the limit less the pack's own overhead).
 */
export function assignMembers(existing: readonly PackLoad[], needs: readonly MemberNeed[], room: number): Assignment {
  const budget = new Map(needs.map((need) => [need.physicalName, need.bytes + need.reserve]))
  const packs = existing.map((pack) => ({ index: pack.index, members: [...pack.members] }))
  const used = packs.map((pack) => pack.members.reduce((sum, name) => sum + (budget.get(name) ?? 0), 0))
  const assigned = new Set(packs.flatMap((pack) => pack.members))
  const placed: Array<{ physicalName: string; index: number }> = []
  const order = needs.filter((need) => !assigned.has(need.physicalName)).sort((a, b) => (a.secret < b.secret ? -1 : a.secret > b.secret ? 1 : 0))
  for (const need of order) {
    const size = budget.get(need.physicalName)!
    // No pack could ever take it: name the one it would have opened.
    if (size > room) return { ok: false, member: need, index: packs.length, budget: size }
    let at = used.findIndex((load) => load + size <= room)
    if (at === -1) {
      at = packs.length
      packs.push({ index: at, members: [] })
      used.push(0)
    }
    packs[at]!.members.push(need.physicalName)
    used[at]! += size
    placed.push({ physicalName: need.physicalName, index: at })
  }
  return { ok: true, packs, placed }
}
