/**
 * The one confirmation rule for commands that write more than the one value typed
 * (`deploy`, `secret import`, `secret rotate --apply`, `secret delete`):
 * - with --yes, nothing is asked;
 * - at a terminal, the command asks once, after showing what it will do;
 * - without a terminal (CI, a pipe), it refuses before doing anything unless --yes.
 * A dry run or a plan writes nothing and never needs --yes. `secret set` asks nothing: it
 * writes exactly the one value given to it (and keeps every readable version), except with
 * --replace-all, which may remove versions and so follows this rule. A deploy to a local
 * environment asks nothing either: it writes only this machine's local store and
 * .layeron/deploy/, nothing shared.
 */
import { LayerError } from "../errors.js"
import type { CommandContext } from "../commands/types.js"

export const CONFIRMATION_RULE =
  "Writers that change more than the one value typed (deploy, secret import, secret rotate --apply, secret delete) ask at a terminal; " +
  "without a terminal they refuse unless --yes. --yes never asks; dry runs and plans never need it. " +
  "A deploy to a local environment never asks (it writes nothing shared)."

/** Refuse early (before anything is read or written) when no one can be asked and --yes is absent. */
export function requireConfirmationSource(context: CommandContext, doing: string, alternative: string): void {
  if (context.flags.yes === true || context.terminal.interactive) return
  throw new LayerError("confirmation_required", `${doing} needs confirmation, and stdin is not a terminal`, {
    hint: `pass --yes to confirm, ${alternative}`,
  })
}

/** Ask at a terminal unless --yes; a "no" throws with `notDone` ("nothing was imported"). */
export async function confirmWrites(context: CommandContext, question: string, notDone: string): Promise<void> {
  if (context.flags.yes === true) return
  if (!(await context.terminal.confirm(question))) {
    throw new LayerError("not_confirmed", `${notDone}: it was not confirmed`, { hint: "answer y to go ahead, or pass --yes" })
  }
}
