/**
 * A route table: method plus a path pattern whose `:name` segments become params.
 * Matching tells apart "no such path" (Cloudflare 7000) from "path exists, other method" (7001).
 */
export interface RoutePattern {
  method: string
  pattern: string
}

export type RouteMatch<R> =
  | { kind: "found"; route: R; params: Record<string, string> }
  | { kind: "wrong_method" }
  | { kind: "none" }

export function matchRoute<R extends RoutePattern>(routes: readonly R[], method: string, path: string): RouteMatch<R> {
  const segments = splitPath(path)
  let pathMatched = false
  for (const route of routes) {
    const params = matchPattern(splitPath(route.pattern), segments)
    if (params === undefined) continue
    if (route.method === method) return { kind: "found", route, params }
    pathMatched = true
  }
  return pathMatched ? { kind: "wrong_method" } : { kind: "none" }
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "")
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string
    const actual = segments[i] as string
    if (expected.startsWith(":")) {
      let decoded: string
      try {
        decoded = decodeURIComponent(actual)
      } catch {
        return undefined
      }
      params[expected.slice(1)] = decoded
    } else if (expected !== actual) {
      return undefined
    }
  }
  return params
}
