/**
 * Questions asked at a terminal: a hidden entry (no echo, for values) and a yes/no
 * confirmation. Prompts are written to stderr so that stdout stays clean for results.
 * Ctrl-C during a prompt is an interruption (exit 130), never an answer.
 */
import { escapeControls } from "./escape.js"
import { createInterface } from "node:readline"
import { LayerError } from "../errors.js"
import type { OutputStream } from "./types.js"

export interface Terminal {
  /** stdin is a terminal a person can answer at. */
  readonly interactive: boolean
  /** Ask without echoing what is typed; resolves to the line entered (without the newline). */
  hidden(question: string): Promise<string>
  /** Ask a yes/no question; only "y" or "yes" (any case) is a yes. */
  confirm(question: string): Promise<boolean>
  /** Ask for a line of text (echoed; never for values); an empty answer is `fallback`. */
  ask?(question: string, fallback: string): Promise<string>
}

export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean
  setRawMode?(mode: boolean): unknown
}

export function interrupted(): LayerError {
  return new LayerError("interrupted", "interrupted; nothing was written", { exitCode: 130 })
}

export function createTerminal(stdin: TerminalInput, stderr: OutputStream): Terminal {
  const interactive = stdin.isTTY === true && typeof stdin.setRawMode === "function"
  return {
    interactive,
    hidden: (question) => readHidden(stdin, stderr, question),
    confirm: (question) => readConfirmation(stdin, stderr, question),
    ask: async (question, fallback) => (await readLine(stdin, stderr, `${question} [${fallback}] `)) || fallback,
  }
}

function readHidden(stdin: TerminalInput, stderr: OutputStream, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let entered = ""
    let escape = false
    // Echo off before the question appears: anything typed after it is never echoed.
    stdin.setRawMode?.(true)
    stderr.write(escapeControls(question))
    stdin.setEncoding("utf8")
    const finish = (outcome: () => void) => {
      stdin.removeListener("data", onData)
      stdin.setRawMode?.(false)
      stdin.pause()
      stderr.write("\n")
      outcome()
    }
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        // Skip terminal escape sequences (arrow keys, bracketed-paste markers): they are
        // keys, not part of the value. A sequence ends with a letter or "~".
        if (escape) {
          if (/[A-Za-z~]/.test(char)) escape = false
          continue
        }
        if (char === "\u001b") escape = true
        else if (char === "\u0003") return finish(() => reject(interrupted()))
        else if (char === "\r" || char === "\n") return finish(() => resolve(entered))
        else if (char === "\u0004") {
          if (entered === "") return finish(() => reject(interrupted()))
          return finish(() => resolve(entered))
        } else if (char === "\u007f" || char === "\b") entered = Array.from(entered).slice(0, -1).join("")
        else if (char === "\u0015") entered = "" // Ctrl-U clears the line, as in a shell
        else entered += char
      }
    }
    stdin.on("data", onData)
    stdin.resume()
  })
}

function readConfirmation(stdin: TerminalInput, stderr: OutputStream, question: string): Promise<boolean> {
  return readLine(stdin, stderr, `${question} [y/N] `).then((answer) => /^(y|yes)$/i.test(answer))
}

/** One echoed line, trimmed; a closed stdin is an empty answer, Ctrl-C an interruption. */
function readLine(stdin: TerminalInput, stderr: OutputStream, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdin, output: stderr as NodeJS.WritableStream, terminal: stdin.isTTY === true })
    let settled = false
    const settle = (outcome: () => void) => {
      if (settled) return
      settled = true
      lines.close()
      stdin.pause()
      outcome()
    }
    lines.on("SIGINT", () => {
      stderr.write("\n")
      settle(() => reject(interrupted()))
    })
    lines.on("close", () => settle(() => resolve("")))
    lines.question(escapeControls(prompt), (answer) => settle(() => resolve(answer.trim())))
  })
}
