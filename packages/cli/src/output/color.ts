/**
 * Colour only when a person is looking: the stream is a TTY, NO_COLOR is not set
 * (https://no-color.org: any non-empty value) and TERM is not "dumb".
 */
import type { OutputStream, Tone } from "./types.js"

export function wantsColor(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  if (env.TERM === "dumb") return false
  return stream.isTTY === true
}

const CODES: Record<Exclude<Tone, "plain">, [number, number]> = {
  success: [32, 39],
  warning: [33, 39],
  muted: [2, 22],
  strong: [1, 22],
}
const ERROR: [number, number] = [31, 39]

export interface Painter {
  tone(text: string, tone: Tone | undefined): string
  error(text: string): string
}

export function painter(enabled: boolean): Painter {
  const wrap = (text: string, [open, close]: [number, number]) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text)
  return {
    tone: (text, tone) => (tone === undefined || tone === "plain" ? text : wrap(text, CODES[tone])),
    error: (text) => wrap(text, ERROR),
  }
}
