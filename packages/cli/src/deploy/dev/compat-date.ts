/**
 * workerd refuses a compatibility date newer than it knows. The installed one (through
 * miniflare) may be older than a backend's declared date, so `layer dev` runs the backend
 * with the newest date it supports and says so once; `layer deploy` keeps the declared date,
 * which Cloudflare's current runtime accepts.
 */
import { supportedCompatibilityDate } from "miniflare"

export interface ClampedDate {
  date: string
  /** The declared date, when it had to be lowered. */
  declared?: string
}

export function clampCompatibilityDate(declared: string, supported: string = supportedCompatibilityDate): ClampedDate {
  return declared > supported ? { date: supported, declared } : { date: declared }
}

export { supportedCompatibilityDate }
