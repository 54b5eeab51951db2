import { quoteInput } from "../runtime/errors.js"

/** `expiresIn`: seconds, or a duration such as "30s", "15m", "1h", "7d". */
export type Duration = number | `${number}${"s" | "m" | "h" | "d"}`

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const

/** Whole seconds, at least 1; a TypeError names the option otherwise. */
export function durationSeconds(value: unknown, option: string): number {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value > 0) return value
  } else if (typeof value === "string") {
    const match = /^([1-9]\d{0,8})([smhd])$/.exec(value)
    if (match) return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS]
  }
  throw new TypeError(`${option} must be a positive whole number of seconds or a duration such as "15m", "1h" or "7d" (got ${typeof value === "string" ? quoteInput(value, 20) : typeof value})`)
}
