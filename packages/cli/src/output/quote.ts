/**
 * How user input (a flag, a NAME, an environment variable) is shown in a message. Input may
 * be a value or a token pasted into the wrong place: a Cloudflare API token is 40 characters,
 * a Global API Key 37, so anything longer than 36 characters is described (its length), never
 * printed. Shorter input is quoted as JSON, so control characters cannot forge output lines.
 */
export const MAX_QUOTED_INPUT = 36

export function quoteInput(text: string, max: number = MAX_QUOTED_INPUT): string {
  if (text.length <= max) return JSON.stringify(text)
  return `(${text.length} characters, not shown: it may be a value or token pasted by mistake)`
}
