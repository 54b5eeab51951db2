import { isPlainObject } from "../envelope/describe.js"

/**
 * `JSON.parse` of text that must be an object, or undefined. Never throws, so no parser
 * message (which may quote its input: a key, a token) can escape.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return isPlainObject(value) ? value : undefined
  } catch {
    return undefined
  }
}
