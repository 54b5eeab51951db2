/** The CLI's version, from its package.json: one small file read, no import graph. */
import { readFileSync } from "node:fs"

// `..` is the package root from src/, dist/ and bundle/ alike (see package-root.ts; not
// imported here, so that `layer --version` loads one module fewer).
let version: string | undefined

export function cliVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version
  return version
}
