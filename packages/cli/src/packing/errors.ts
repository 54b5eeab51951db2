/** The refusals of a packed environment: each names the pack and the member, and writes nothing. */
import { LayerError } from "../errors.js"
import { groupThousands } from "../output/numbers.js"

export function packConflict(pack: string, members: readonly string[], file: string, stored: string, recorded: string | undefined, environment: string): LayerError {
  return new LayerError(
    "pack_conflict",
    `pack ${pack} (${members.join(", ")}) was written outside this checkout's state (the store says modified ${stored}, ${file} ${recorded ?? "never"}): a teammate wrote one of its members, or the pack was edited in the dashboard; nothing was written`,
    {
      hint: `\`git pull\` to get the teammate's ${file}, then run the command again; if nobody wrote it through layer, its text may no longer be what readers expect (\`layer doctor --env ${environment}\`)`,
      details: { pack, members: [...members], file },
    },
  )
}

export function packAnchorMismatch(pack: string, members: readonly string[], file: string, stored: string | undefined, expected: string): LayerError {
  return new LayerError(
    "pack_anchor_mismatch",
    `pack ${pack} (${members.join(", ")}): its anchor in the store (${stored ?? "none"}) does not vouch for ${file} (which implies ${expected}): the file is not what the last write of the pack recorded; nothing was written`,
    { hint: `restore ${file} and the members' state files from version control (git log -p -- ${file}); the store is unchanged`, details: { pack, members: [...members], file, stored: stored ?? null, expected } },
  )
}

export function packMemberAnchorMismatch(pack: string, member: string, file: string): LayerError {
  return new LayerError(
    "pack_member_anchor_mismatch",
    `pack ${pack}: the rotation state of its member ${member} (${file}) is not what the pack holds (its anchor differs from the one the pack's anchor vouches for), so it cannot be carried into a rewrite of the pack; nothing was written`,
    { hint: `restore ${file} from version control (git log -p -- ${file}) and run the command again`, details: { pack, member, file } },
  )
}

export function packMemberTooLarge(pack: string, member: string, budget: number, room: number): LayerError {
  return new LayerError(
    "pack_member_too_large",
    `${member} needs ${groupThousands(budget)} bytes with room for its next rotation, more than a pack holds (${groupThousands(room)}); pack ${pack} cannot take it; nothing was written`,
    { hint: "keep fewer versions (a shorter retain_for), or turn packing off for this environment (packing: false)", details: { pack, member, bytes: budget, room } },
  )
}

export function packFull(pack: string, member: string, bytes: number, limit: number): LayerError {
  return new LayerError(
    "pack_full",
    `writing ${member} would make pack ${pack} ${groupThousands(bytes)} bytes, over the ${groupThousands(limit)}-byte limit of one secret; nothing was written`,
    { hint: "keep fewer versions of it, or revoke old ones (`layer secret revoke`)", details: { pack, member, bytes, limit } },
  )
}

export function packingNotMigrated(environment: string, members: readonly string[]): LayerError {
  return new LayerError(
    "packing_not_migrated",
    `environment "${environment}" has packing: true, but ${members.join(", ")} ${members.length === 1 ? "is" : "are"} still stored unpacked (packing was turned on without moving the values); nothing was written`,
    { hint: `\`layer secret pack --env ${environment}\` moves them into packs (plan first, then --apply --yes), or set packing: false again`, details: { members: [...members] } },
  )
}

export function packingTurnedOff(environment: string, packs: readonly string[], file: string): LayerError {
  return new LayerError(
    "packing_turned_off",
    `environment "${environment}" has no packing: true, but its values are in packs (${packs.join(", ")}, recorded in ${file}): writing them unpacked would create new values beside them; nothing was written`,
    { hint: `\`layer secret unpack --env ${environment}\` moves them out of the packs (plan first, then --apply --yes), or set packing: true again`, details: { packs: [...packs], file } },
  )
}
