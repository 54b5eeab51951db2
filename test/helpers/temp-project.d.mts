export declare const REPO_ROOT: string
export declare const LAYER_BIN: string
export interface TempProjectPaths {
  base: string
  root: string
  home: string
  userHome: string
}
export declare function layTempProject(prefix: string, files: Readonly<Record<string, string | null>>): Promise<TempProjectPaths>
export declare function cleanEnv(project: Pick<TempProjectPaths, "home" | "userHome">, extra?: Record<string, string | undefined>): NodeJS.ProcessEnv
export function stateDirOf(root: string, environment: string, provider?: "local" | "cloudflare"): string
