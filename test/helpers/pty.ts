/** Drive the built CLI through a real pseudo-terminal (test/helpers/pty_driver.py). */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { LAYER_BIN } from "./project.js"
import type { TestProject } from "./project.js"

const DRIVER = fileURLToPath(new URL("./pty_driver.py", import.meta.url))

export interface PtyStep {
  /** Wait for this text in the terminal output… */
  expect: string
  /** …then type this ("\r" is Enter, "\u0003" is Ctrl-C). */
  send: string
  /** With a path: on reaching the step, create `<gate>.reached`, and type only once `<gate>` exists. */
  gate?: string
}

export interface PtyRun {
  /** Everything the terminal showed (stdout and stderr together, plus any echo). */
  output: string
  exitCode: number
  /** How many steps were answered. */
  steps: number
  timedOut: boolean
}

export function layerInPty(project: TestProject, args: readonly string[], steps: readonly PtyStep[], env: Record<string, string | undefined> = {}): Promise<PtyRun> {
  const spec = {
    argv: [process.execPath, LAYER_BIN, ...args],
    cwd: project.root,
    env: project.env({ TERM: "xterm", ...env }),
    steps,
    timeout: 60,
  }
  return new Promise((resolve, reject) => {
    const child = spawn("python3", [DRIVER], { stdio: ["pipe", "pipe", "inherit"] })
    const out: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.on("error", reject)
    child.on("close", (code) => {
      const text = Buffer.concat(out).toString("utf8")
      try {
        resolve(JSON.parse(text) as PtyRun)
      } catch {
        reject(new Error(`pty driver failed (exit ${code}): ${text}`))
      }
    })
    child.stdin.end(JSON.stringify(spec))
  })
}
