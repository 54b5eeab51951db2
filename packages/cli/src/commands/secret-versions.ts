/**
 * `layer secret versions NAME`: every version of a declared secret, newest first, with its
 * state (current, next, retained, expired), times and the fingerprint recorded when it was
 * written (docs/design.md#cli). Read only: the versions come from the rotation state (the
 * store never returns a value), with a pending intent settled in memory against the store's
 * metadata; a state the store does not vouch for is listed with a warning saying so.
 */
import type { CommandResult } from "../output/index.js"
import { stateAnchor, verifyAnchor } from "../rotation/anchor.js"
import { secretStatePath } from "../rotation/paths.js"
import { settleState } from "../rotation/record.js"
import { readSecretState } from "../rotation/state-file.js"
import { listVersions } from "../rotation/version-list.js"
import type { VersionState } from "../rotation/version-list.js"
import { openSecretSession } from "../secrets/session.js"
import { resolveDeclared } from "./secret-rotate-names.js"
import type { CommandContext } from "./types.js"

export interface SecretVersionsDocument {
  environment: string
  /** The declaration's `namespace/name`. */
  name: string
  physicalName: string
  versions: Array<{ id: string; state: VersionState; createdAt: string | null; expiresAt: string | null; fingerprint: string | null }>
}

export async function run(context: CommandContext): Promise<CommandResult<SecretVersionsDocument>> {
  const session = await openSecretSession(context)
  const secret = resolveDeclared(context.positionals[0] ?? "", session.catalog)
  const { declaration, physicalName } = secret
  const environment = session.environment
  const provider = await session.provider()
  const metadata = await provider.find(physicalName)
  const raw = await readSecretState(session.project.root, environment, physicalName)
  const state = raw && settleState(raw, metadata)
  const path = secretStatePath(session.project.root, environment, physicalName)
  const now = context.now()

  if (state?.current && metadata) {
    if (state.provider.modified !== metadata.modified) {
      context.output.warn(`${declaration.id} was written outside this state (the store says modified ${metadata.modified}, the state ${state.provider.modified ?? "never"}): the list is what ${path} last recorded; \`git pull\` if a teammate or CI wrote it`)
    } else if (verifyAnchor(stateAnchor(physicalName, { current: state.current, versions: state.versions }), metadata.comment).status === "mismatch") {
      context.output.warn(`${path} does not match what the store anchored for ${declaration.id}: the list may not be what the store holds; restore the file from a commit you trust`)
    }
  } else if (metadata) {
    context.output.warn(`${declaration.id} has a value in ${environment} but no rotation state (${path}), so its versions are not known here`)
  }
  const listed = state?.current ? listVersions({ current: state.current, versions: state.versions }, now, { keyPair: declaration.generate !== undefined }) : []
  const versions = listed.map((version) => ({ ...version, fingerprint: fingerprintOf(state, version.id) }))
  const document: SecretVersionsDocument = { environment, name: declaration.id, physicalName, versions }

  if (versions.length === 0) {
    return { json: document, human: [{ type: "line", text: `${declaration.id} (${physicalName}) has no recorded version in ${environment}`, tone: "muted" }] }
  }
  return {
    json: document,
    human: [
      { type: "line", text: `${declaration.id} (${physicalName}) in ${environment}, newest first`, tone: "strong" },
      {
        type: "table",
        columns: ["version", "state", "created", "expires", "fingerprint"],
        rows: versions.map((version) => [version.id, version.state, time(version.createdAt), time(version.expiresAt), version.fingerprint ?? "-"]),
      },
    ],
  }
}

function time(iso: string | null): string {
  return iso === null ? "-" : iso.replace(/\.000Z$/, "Z")
}

/**
 * The fingerprint recorded for a version: a rotation's own, or the first 8 hex of the digest a
 * `secret set` or `secret import` recorded (the same HMAC under the writer's key, so the same
 * 8 digits that command printed); null when the version was written without one.
 */
function fingerprintOf(state: { fingerprints?: Record<string, string>; digests?: Record<string, string> } | undefined, id: string): string | null {
  if (state?.fingerprints && Object.hasOwn(state.fingerprints, id)) return state.fingerprints[id]!
  if (state?.digests && Object.hasOwn(state.digests, id)) return state.digests[id]!.slice(0, 8)
  return null
}
