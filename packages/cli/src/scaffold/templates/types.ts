/** What every template of `layer init` is given, and what it gives back. */
export interface ScaffoldOptions {
  workspace: string
  name: string
  /** The backend's id in the config and its file name under src/ (`api` → src/api.ts). */
  backend: string
  /** YYYY-MM-DD: the Worker's compatibility date (the day of `layer init`, or the newest the installed workerd knows). */
  compatibilityDate: string
  /** The version of the @layeron packages to depend on. */
  version: string
}

export interface Template {
  /** Path relative to the project folder. */
  path(options: ScaffoldOptions): string
  content(options: ScaffoldOptions): string
}
