/**
 * Is this checkout's committed state of a shared environment fit to work from? The state of a
 * Cloudflare environment comes through git from teammates and CI, so before anything reads it
 * (and long before anything is written) the directory is checked for what git can do to it:
 * a merge conflict left in a file, a directory copied from another project or environment,
 * a commit that carried only part of it, or no state at all next to a store that has a
 * sealing key (the checkout has not pulled it, or .gitignore keeps it out). Each refusal
 * names the file and the git command that fixes it. A state behind the store (someone rotated
 * and this checkout did not pull) is found per secret by the plan, through `modified`.
 * Local environments are per developer and never come through git: nothing to check.
 */
import { readdir } from "../fs/io.js"
import { join, relative } from "node:path"
import { LayerError } from "../errors.js"
import { parseJsonQuietly } from "../fs/json.js"
import { assertSafePath, readGuardedText } from "../fs/safe-path.js"
import { isLocalEnvironment } from "../paths.js"
import { publicKeyPath, rotationDir, secretStatePath } from "./paths.js"
import type { RotationCandidate } from "./plan.js"

export interface CheckoutInput {
  projectRoot: string
  environment: string
  /** Physical name of this environment's `layeron/sealing-key`. */
  sealingKeyName: string
  /** Whether the store holds the sealing key; asked only when the state has no public key. */
  sealingKeyStored: () => Promise<boolean>
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(?: |$)/m

export async function checkCheckoutState(input: CheckoutInput): Promise<void> {
  const { projectRoot, environment } = input
  if (isLocalEnvironment(projectRoot, environment)) return
  const dir = rotationDir(projectRoot, environment)
  const shownDir = `${relative(projectRoot, dir)}/`
  const files = await jsonFiles(dir)
  for (const file of files) {
    const path = join(dir, file)
    const text = await readGuardedText(path)
    const marker = CONFLICT_MARKER.exec(text)
    if (marker) throw mergeConflict(relative(projectRoot, path), text.slice(0, marker.index).split("\n").length, environment)
  }
  const keyFile = publicKeyPath(projectRoot, environment)
  const shownKey = relative(projectRoot, keyFile)
  const stateFiles = files.filter((file) => file !== "public-key.json")
  if (files.includes("public-key.json")) {
    checkOwner(parseJsonQuietly(await readGuardedText(keyFile)), shownKey, shownDir, input)
    return
  }
  if (stateFiles.length > 0) {
    throw new LayerError(
      "state_incomplete",
      `${shownDir} holds the rotation state of ${stateFiles.length} ${stateFiles.length === 1 ? "secret" : "secrets"} but not ${shownKey}, the sealing key's public half their sealed copies need: the state was committed only in part; nothing was written`,
      {
        hint: `\`git pull\`, or \`git log -- ${shownKey}\` to find it; on the machine that wrote it, \`git add ${shownDir}\` and commit (it holds no plaintext)`,
        details: { file: shownKey, directory: shownDir },
      },
    )
  }
  if (await input.sealingKeyStored()) {
    throw new LayerError(
      "state_not_in_checkout",
      `environment "${environment}" already has a sealing key in its store (${input.sealingKeyName}), but this checkout has no rotation state for it: ${shownDir} is missing; nothing was written`,
      {
        hint:
          `\`git pull\` to get the state a teammate or CI committed; if nobody ever committed it, commit ${shownDir} from the checkout that has it ` +
          "(and make sure .gitignore keeps out only .layeron/local/, .layeron/locks/ and .layeron/deploy/, never all of .layeron/)",
        details: { directory: shownDir },
      },
    )
  }
}

function checkOwner(data: unknown, shownKey: string, shownDir: string, input: CheckoutInput): void {
  const file = (typeof data === "object" && data !== null ? data : {}) as { environment?: unknown; physicalName?: unknown }
  // A malformed file is left to readPublicKey, which names what is wrong with it.
  if (typeof file.physicalName !== "string") return
  const otherEnvironment = typeof file.environment === "string" && file.environment !== input.environment
  if (!otherEnvironment && file.physicalName === input.sealingKeyName) return
  const whose = otherEnvironment ? `environment "${String(file.environment)}"` : "another project (another workspace or name)"
  throw new LayerError(
    "state_from_elsewhere",
    `${shownKey} belongs to ${whose}: it names the sealing key ${file.physicalName}, and "${input.environment}" of this project uses ${input.sealingKeyName}; ${shownDir} was copied from elsewhere, so nothing was written`,
    {
      hint: `restore this environment's own state: \`git checkout -- ${shownDir}\` (or \`git pull\`); if it never had one, remove the copy (\`git rm -r ${shownDir}\`)`,
      details: { file: shownKey, expected: input.sealingKeyName, found: file.physicalName },
    },
  )
}

function mergeConflict(file: string, line: number, environment: string): LayerError {
  return new LayerError("state_merge_conflict", `${file} holds an unresolved merge conflict (a marker at line ${line}); nothing was written`, {
    hint:
      `keep one side whole, never a mix: the one whose "provider.modified" is the store's (\`layer secret list --env ${environment}\` shows MODIFIED), ` +
      `usually the side just pulled: \`git checkout --theirs -- ${file}\` (in a rebase: --ours), then \`git add ${file}\` and run the command again`,
    details: { file, line },
  })
}

async function jsonFiles(dir: string): Promise<string[]> {
  await assertSafePath(dir)
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(".json")).sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return []
    throw error
  }
}

/**
 * The other half of a partial commit: the public key is there, but the state file of a random
 * secret the store holds is not. Random secrets are only ever created by `layer deploy`, which
 * records their state, so a missing file means it did not reach this checkout. (A static or
 * generated secret may have been written outside Layeron: the plan reports those as `no_state`.)
 */
export function checkStateCoverage(projectRoot: string, environment: string, candidates: readonly RotationCandidate[]): void {
  if (isLocalEnvironment(projectRoot, environment)) return
  const missing = candidates.filter((candidate) => candidate.declaration.kind === "random" && candidate.metadata && !candidate.state)
  if (missing.length === 0) return
  const files = missing.map((candidate) => relative(projectRoot, secretStatePath(projectRoot, environment, candidate.physicalName)))
  const shownKey = relative(projectRoot, publicKeyPath(projectRoot, environment))
  throw new LayerError(
    "state_incomplete",
    `${shownKey} is in this checkout but the rotation state of ${missing.map((c) => c.declaration.id).join(", ")} is not (${files.join(", ")}), although the store holds ${missing.length === 1 ? "it" : "them"}: the state was committed only in part; nothing was written`,
    {
      hint: `\`git pull\`; on the machine that deployed or rotated last, \`git add ${relative(projectRoot, rotationDir(projectRoot, environment))}/\` and commit (it holds no plaintext); only if that state is lost for good, --discard-history rotates with a fresh envelope`,
      details: { files },
    },
  )
}
