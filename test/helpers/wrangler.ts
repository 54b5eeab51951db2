/**
 * The pinned wrangler (node_modules/.bin/wrangler) in a child process with a private HOME,
 * no metrics and CI mode: what the deploy and own-Worker tests run `deploy --dry-run` with.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { REPO_ROOT } from "./project.js"

export interface WranglerRun {
  code: number | null
  /** stdout and stderr, interleaved. */
  output: string
}

export function runWrangler(args: readonly string[], options: { home: string; cwd?: string; env?: Record<string, string> }): Promise<WranglerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, "node_modules", ".bin", "wrangler"), [...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: options.home, XDG_CONFIG_HOME: join(options.home, ".config"), WRANGLER_SEND_METRICS: "false", CI: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, output }))
  })
}
