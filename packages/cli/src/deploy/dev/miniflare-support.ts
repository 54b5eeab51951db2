/**
 * miniflare is an optional peer dependency of @layeron/cli: only `layer dev` needs it, so CI
 * jobs that set, rotate and deploy do not install workerd. This check runs before `layer dev`
 * loads anything that imports miniflare, so a missing or mismatched install is one clear
 * message instead of a module-resolution stack trace.
 *
 * Which miniflare runs on which Node is miniflare's own `engines` field: releases up to
 * 4.20260426.0 run on Node 18 and 20; every later 4.x needs Node 22 or newer.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { LayerError } from "../../errors.js"

/** The oldest miniflare whose Secrets Store and worker options `layer dev` relies on. */
export const OLDEST_MINIFLARE = "4.20260426.0"
/** The newest miniflare that still runs on Node 20. */
export const NEWEST_MINIFLARE_FOR_NODE_20 = "4.20260426.0"

export interface MiniflarePackage {
  version: string
  /** `engines.node` as published, e.g. ">=22.0.0". */
  nodeRange: string | undefined
}

/** Reads the installed miniflare's package.json, resolved from where layer itself lives. */
export function findMiniflare(from: string = import.meta.url): MiniflarePackage | undefined {
  let entry: string
  try {
    entry = createRequire(from).resolve("miniflare")
  } catch {
    return undefined
  }
  // miniflare does not export its package.json: walk up from its entry point.
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: string
        version?: string
        engines?: { node?: string }
      }
      if (manifest.name === "miniflare" && typeof manifest.version === "string") {
        return { version: manifest.version, nodeRange: manifest.engines?.node }
      }
    } catch {
      // not this directory
    }
  }
  return undefined
}

/** Refuses with what to install when miniflare is missing, too old, too new for this Node, or a major ahead. */
export function checkMiniflare(found: MiniflarePackage | undefined, nodeVersion: string = process.versions.node): void {
  const nodeMajor = majorOf(nodeVersion)
  const fitting = nodeMajor >= 22 ? `miniflare@4 (${OLDEST_MINIFLARE} or newer)` : `miniflare@${NEWEST_MINIFLARE_FOR_NODE_20}`
  const install = `npm install --save-dev ${nodeMajor >= 22 ? "miniflare@4" : `miniflare@${NEWEST_MINIFLARE_FOR_NODE_20}`}`
  if (found === undefined) {
    throw new LayerError("miniflare_missing", "layer dev runs your Workers in workerd through miniflare, which is not installed", {
      hint: `${install} (every other layer command works without it)`,
    })
  }
  const works = `on Node ${nodeMajor}, ${fitting} works`
  if (majorOf(found.version) !== 4 || compareVersions(found.version, OLDEST_MINIFLARE) < 0) {
    throw new LayerError("miniflare_unsupported", `miniflare ${found.version} is not supported by layer dev (${works})`, {
      hint: install,
    })
  }
  const needsNode = minimumNode(found.nodeRange)
  if (needsNode !== undefined && compareVersions(nodeVersion, needsNode) < 0) {
    throw new LayerError(
      "miniflare_needs_newer_node",
      `miniflare ${found.version} needs Node ${found.nodeRange}, but this is Node ${nodeVersion} (${works})`,
      { hint: `${install}, or run layer on Node 22 or 24` },
    )
  }
}

function majorOf(version: string): number {
  return Number(version.split(".")[0])
}

/** The lower bound of a ">=X.Y.Z" engines range; anything else is not checked here. */
function minimumNode(range: string | undefined): string | undefined {
  return range?.trim().match(/^>=\s*v?(\d+(?:\.\d+){0,2})$/)?.[1]
}

function compareVersions(a: string, b: string): number {
  const left = a.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0)
  const right = b.split(/[.-]/).map((part) => Number.parseInt(part, 10) || 0)
  for (let i = 0; i < 3; i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0)
    if (difference !== 0) return Math.sign(difference)
  }
  return 0
}
