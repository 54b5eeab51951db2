/**
 * Files of the CLI package itself (shell scripts, templates) by their path in the package.
 * This module sits exactly one folder below the package root in every form the CLI runs in:
 * src/ under tsx, dist/ as tsc emits it, and bundle/ as esbuild emits it (one flat folder of
 * chunks), so `..` from here is the package whichever form is running.
 */
import { fileURLToPath } from "node:url"

export function packageFile(path: string): string {
  return fileURLToPath(new URL(`../${path}`, import.meta.url))
}
