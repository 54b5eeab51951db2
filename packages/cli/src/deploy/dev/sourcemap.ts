/**
 * Stack traces in `layer dev`'s output name the source, not the bundle. workerd does not apply
 * source maps itself, and miniflare maps only the uncaught errors it reports; an app framework
 * (Hono) catches the error and logs `error.stack`, which workerd prints as `script-0:2157:13`
 * (miniflare names a Worker given as a string `script-<index>`). Every output line goes
 * through `map()`, which rewrites such positions with the bundle's inline source map
 * (`src/api.ts:12:11`), using Node's own source map reader.
 */
import { SourceMap } from "node:module"
import type { SourceMapPayload } from "node:module"

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/
const POSITION = /\bscript-(\d+):(\d+)(?::(\d+))?\b/g

export class StackMapper {
  #maps: Array<SourceMap | undefined> = []

  /** The bundles in miniflare's order (`script-0` first). */
  update(codes: readonly string[]): void {
    this.#maps = codes.map(readInlineMap)
  }

  map(line: string): string {
    if (!line.includes("script-")) return line
    return line.replace(POSITION, (whole, index: string, line1: string, column1: string | undefined) => {
      const entry = this.#maps[Number(index)]?.findEntry(Number(line1) - 1, column1 === undefined ? 0 : Number(column1) - 1)
      if (!entry || !("originalSource" in entry) || !entry.originalSource) return whole
      return `${entry.originalSource}:${entry.originalLine + 1}${column1 === undefined ? "" : `:${entry.originalColumn + 1}`}`
    })
  }
}

function readInlineMap(code: string): SourceMap | undefined {
  const match = INLINE_MAP.exec(code)
  if (!match?.[1]) return undefined
  try {
    return new SourceMap(JSON.parse(Buffer.from(match[1], "base64").toString("utf8")) as SourceMapPayload)
  } catch {
    return undefined
  }
}
