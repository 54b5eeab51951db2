/**
 * The refusals of a failed anchor check: what file, what differs, and the way out. Never a
 * value: only fingerprints, version ids, counts and times, which the state shows anyway.
 */
import { LayerError } from "../errors.js"
import { anchoredVersionCount } from "./anchor.js"
import { versionIdsInOrder } from "./state-file.js"
import type { SecretState } from "./types.js"

export function stateAnchorMismatch(path: string, state: SecretState, stored: string, environment?: string): LayerError {
  const ids = versionIdsInOrder(state.versions)
  const anchoredCount = anchoredVersionCount(stored)
  const what =
    anchoredCount === undefined
      ? "the store holds an anchor of another kind"
      : anchoredCount === ids.length
        ? `the store's anchor covers ${anchoredCount} version${anchoredCount === 1 ? "" : "s"} as the state does, but a sealed copy, a time or the current version differs`
        : `the store's anchor was written for ${anchoredCount} version${anchoredCount === 1 ? "" : "s"}, the state lists ${ids.length}`
  const env = environment ? ` --env ${environment}` : ""
  return new LayerError(
    "state_anchor_mismatch",
    `rotation state ${path} does not match what the store anchored for ${state.physicalName} (${state.secret}): the state lists ${ids.join(", ") || "no versions"} (current ${state.current ?? "none"}); ${what}. Nothing was written: carrying these versions forward could plant or replace keys`,
    {
      hint:
        `restore the file from a commit you trust (git log -p -- ${path}; git checkout <commit> -- ${path}); ` +
        `or start a fresh envelope with \`layer secret rotate${env} --apply --discard-history\`; ` +
        `only if a person has checked the state: \`layer secret rotate${env} --re-anchor\``,
      details: { file: path, secret: state.secret, physicalName: state.physicalName, stateVersions: ids, anchoredVersions: anchoredCount ?? null },
    },
  )
}

export function carriedNotInState(path: string, versions: readonly string[]): LayerError {
  return new LayerError("state_anchor_mismatch", `the write would carry ${versions.join(", ")}, which ${path} does not record as the store anchored it; nothing was written`, {
    hint: "run the command again: it plans from the state on disk",
    details: { file: path, versions: [...versions] },
  })
}
