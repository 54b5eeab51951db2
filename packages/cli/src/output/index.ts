/**
 * The one module that writes to stdout and stderr. stdout carries results only: exactly one
 * JSON document under --json, or the human rendering. Warnings, notes, prompts, debug lines
 * and error messages go to stderr, so `layer … --json | jq` always parses. Whatever it prints
 * has its control characters escaped first (escape.ts): messages carry names and text read
 * from files and APIs, and none of it may act on the terminal.
 */
import { painter, wantsColor } from "./color.js"
import { describeError } from "./error.js"
import { escapeControls, escapeJsonText } from "./escape.js"
import { formatTable } from "./table.js"
import type { CommandResult, HumanBlock, Output, OutputStream } from "./types.js"

export type { CommandResult, HumanBlock, Output, OutputStream, Tone } from "./types.js"
export { formatTable } from "./table.js"

export interface OutputOptions {
  json: boolean
  debug: boolean
  stdout: OutputStream
  stderr: OutputStream
  env: NodeJS.ProcessEnv
}

export function createOutput(options: OutputOptions): Output {
  const { stdout, stderr, json } = options
  const out = painter(wantsColor(stdout, options.env))
  const err = painter(wantsColor(stderr, options.env))
  let documents = 0
  // A progress line is on screen (terminal only): clear it before anything else goes to stderr.
  let progressShown = false
  const clearProgress = () => {
    if (progressShown) stderr.write("\r\u001b[2K")
    progressShown = false
  }

  const printDocument = (document: unknown) => {
    // A second document would break `| jq`; refuse loudly rather than print it.
    if (documents++ > 0) throw new Error("output: a second JSON document was about to be printed")
    stdout.write(`${escapeJsonText(JSON.stringify(document, null, 2))}\n`)
  }

  return {
    json,
    debugEnabled: options.debug,
    warn(message) {
      clearProgress()
      stderr.write(`${err.tone("warning:", "warning")} ${escapeControls(message)}\n`)
    },
    note(message) {
      clearProgress()
      stderr.write(`${escapeControls(message)}\n`)
    },
    progress(line) {
      if (stderr.isTTY !== true) {
        if (line !== undefined) stderr.write(`${escapeControls(line)}\n`)
        return
      }
      clearProgress()
      if (line === undefined) return
      stderr.write(err.tone(escapeControls(line, { singleLine: true }), "muted"))
      progressShown = true
    },
    debug(message) {
      if (options.debug) stderr.write(`${err.tone(`debug: ${escapeControls(message)}`, "muted")}\n`)
    },
    result(result: CommandResult) {
      if (json) printDocument(result.json)
      else {
        const text = renderBlocks(result.human, out.tone)
        if (text) stdout.write(text)
      }
    },
    text(text, jsonKey) {
      if (json) printDocument({ [jsonKey]: text })
      else {
        const shown = escapeControls(text)
        stdout.write(shown.endsWith("\n") ? shown : `${shown}\n`)
      }
    },
    error(error) {
      clearProgress()
      const described = describeError(error, options.debug)
      for (const { kind, text: raw } of described.lines) {
        const line = { kind, text: escapeControls(raw) }
        if (line.kind === "error") stderr.write(`${err.error("error:")} ${line.text}\n`)
        else if (line.kind === "hint") stderr.write(`${err.tone("hint:", "strong")} ${line.text}\n`)
        else if (line.kind === "bug") stderr.write(`${line.text}\n`)
        else stderr.write(`${err.tone(line.text, "muted")}\n`)
      }
      if (json && documents === 0) printDocument(described.document)
    },
  }
}

function renderBlocks(blocks: readonly HumanBlock[], tone: ReturnType<typeof painter>["tone"]): string {
  const lines: string[] = []
  for (const block of blocks) {
    if (block.type === "blank") lines.push("")
    else if (block.type === "line") lines.push(tone(escapeControls(block.text), block.tone))
    else {
      const cell = (text: string) => escapeControls(text, { singleLine: true })
      const [header, ...rows] = formatTable(block.columns.map(cell), block.rows.map((row) => row.map(cell)))
      lines.push(tone(header ?? "", "strong"), ...rows)
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : ""
}
