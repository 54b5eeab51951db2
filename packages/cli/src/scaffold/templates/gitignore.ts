/**
 * .gitignore: exactly what must stay on one machine. `.layeron/secret-rotation/` is left out
 * on purpose: shared environments' rotation state is committed, so any checkout (a
 * teammate's, CI's) can rotate.
 */
import type { Template } from "./types.js"

/** The entries a project's .gitignore must have; `layer init` names the missing ones in a kept file. */
export const LOCAL_ONLY_ENTRIES = [".layeron/local/", ".layeron/locks/", ".layeron/deploy/", "node_modules/"] as const

export const gitignoreTemplate: Template = {
  path: () => ".gitignore",
  content: () => `# Layeron: what stays on this machine.
# Local environments' values, sealing keys and rotation state (one per developer):
.layeron/local/
# Locks of running commands:
.layeron/locks/
# Bundles and wrangler.jsonc written by \`layer deploy\` (rebuilt on every deploy):
.layeron/deploy/
# Commit .layeron/secret-rotation/: shared environments' rotation state (no plaintext).

node_modules/
`,
}
