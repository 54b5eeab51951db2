/**
 * A local record that does not decrypt with this user's key (copied from another project or
 * environment, edited, a changed byte): named by its path everywhere (`local_record_unreadable`),
 * never blamed on the rotation state, never silently replaced.
 *
 * Listings still show such a record (so it can be inspected and replaced on purpose), under a
 * comment that is a Layeron anchor no state can match and that carries the record's path:
 * every check that compares anchors (rotation/anchor.ts) recognises it and refuses with this
 * error instead of a state mismatch.
 */
import { basename, dirname } from "node:path"
import { LayerError } from "../../errors.js"

/** The comment's prefix; the record's path follows after one more colon. */
export const UNREADABLE_RECORD_ANCHOR = "layeron:v1:x:unreadable-record"

export function unreadableRecordComment(file: string): string {
  return `${UNREADABLE_RECORD_ANCHOR}:${file}`
}

/** The record path an unreadable-record comment carries, or undefined for any other comment. */
export function unreadableRecordFile(comment: string | undefined): string | undefined {
  return comment?.startsWith(`${UNREADABLE_RECORD_ANCHOR}:`) ? comment.slice(UNREADABLE_RECORD_ANCHOR.length + 1) : undefined
}

export function localRecordUnreadable(file: string, name: string, keyPath?: string): LayerError {
  const environment = basename(dirname(file))
  return new LayerError(
    "local_record_unreadable",
    `the local record ${file} (${name}) does not decrypt${keyPath ? ` with the key at ${keyPath}` : ""}: it was changed, cut short or copied from another project or environment (a record is bound to its workspace, project, environment, name, id and modified); nothing was written`,
    {
      hint:
        `restore ${file} from a backup if you have one; otherwise replace its value on purpose with \`layer secret set ${name} --env ${environment} --replace-all\` ` +
        `(it asks first, and keeps the unreadable file beside the store); if it is Layeron's sealing key, \`layer secret reset-local --env ${environment}\` starts the environment afresh`,
      details: { file, secret: name },
    },
  )
}
