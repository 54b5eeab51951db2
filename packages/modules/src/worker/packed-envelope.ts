/**
 * Reads a packed member (docs/design.md#packing): the pack's text through its binding, then
 * the member's envelope, which continues the same read path as an unpacked secret's (selection,
 * sealed copies opened with the member's own physical name, expose, caller check).
 *
 * Every read goes to the store, as for unpacked secrets. The parse is memoized per pack
 * binding, keyed by the exact text (a new text is parsed afresh, never served from an older
 * one), and each member's envelope is validated on first use: a member broken by a hand edit
 * fails its own reads only, as an unpacked secret's bad envelope would.
 */
import type { Envelope } from "../envelope/index.js"
import { openPackText, PackError, validateMember } from "../pack/index.js"
import type { PackText } from "../pack/index.js"
import { failures } from "./failure.js"
import type { PackReference } from "./manifest.js"
import { getStoredText } from "./store-binding.js"
import type { WorkerEnv } from "./store-binding.js"

interface PackMemo {
  text: string
  name: string
  opened: PackText
  /** Members validated so far. */
  members: Map<string, Envelope>
}

/** The last text seen per pack binding, with its parse; one entry per pack. */
const lastPack = new Map<string, PackMemo>()

export async function readPackedEnvelope(env: WorkerEnv, secretId: string, pack: PackReference): Promise<Envelope> {
  const read = await getStoredText(env, pack.binding)
  if (!read.ok) {
    if (read.reason === "unbound") throw failures.notBound(secretId, pack.name)
    if (read.reason === "missing") throw failures.noStoredValue(secretId, pack.name)
    throw failures.storeUnreachable(secretId, `pack ${pack.name}`)
  }
  const memo = packMemo(secretId, pack, read.text)
  const known = memo.members.get(secretId)
  if (known !== undefined) return known
  if (!Object.hasOwn(memo.opened.members, secretId)) throw failures.notInPack(secretId, pack.name)
  const envelope = checked(secretId, pack, () => validateMember(pack.name, secretId, memo.opened.members[secretId]))
  memo.members.set(secretId, envelope)
  return envelope
}

function packMemo(secretId: string, pack: PackReference, text: string): PackMemo {
  const memo = lastPack.get(pack.binding)
  if (memo !== undefined && memo.text === text && memo.name === pack.name) return memo
  const fresh = { text, name: pack.name, opened: checked(secretId, pack, () => openPackText(text, pack.name)), members: new Map<string, Envelope>() }
  lastPack.set(pack.binding, fresh)
  return fresh
}

/** PackError's message names the pack, the member and the rule, never a value (pack/ contract). */
function checked<T>(secretId: string, pack: PackReference, run: () => T): T {
  try {
    return run()
  } catch (error) {
    if (error instanceof PackError) throw failures.invalidPack(secretId, pack.name, error.message)
    throw error
  }
}
