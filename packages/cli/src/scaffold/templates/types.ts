/** What every template of `layer init` is given, and what it gives back. */
import type { LayeronPackage } from "../install-source.js"

export interface ScaffoldOptions {
  workspace: string
  name: string
  /** The backend's id in the config and its file name under src/ (`api` → src/api.ts). */
  backend: string
  /** YYYY-MM-DD: the Worker's compatibility date (the day of `layer init`, or the newest the workerd the project installs supports). */
  compatibilityDate: string
  /** How the project depends on each Layeron package: `^0.1.0`, or a file: spec (install-source.ts). */
  packages: Record<LayeronPackage, string>
  /** The dev tools' versions: the miniflare that runs on this Node, tsx for the test script, typescript and Node's types. */
  devTools: { miniflare: string; tsx: string; typescript: string; typesNode: string }
}

export interface Template {
  /** Path relative to the project folder. */
  path(options: ScaffoldOptions): string
  content(options: ScaffoldOptions): string
}
