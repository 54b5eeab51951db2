export interface TempProject {
  base: string
  root: string
  home: string
  userHome: string
}
export interface SigningRotationResult {
  project: TempProject
  /** What deploy, the rotation and layer dev printed. */
  outputs: string[]
  rotated: string[]
  jwksBefore: string[]
  jwksAfter: string[]
  cacheControl: string | null
  served: number
  failures: { what: string; phase: string; reason: string }[]
  latency: { hmacSign: number[]; hmacVerify: number[]; jwtSign: number[]; jwtVerify: number[] }
  kids: { hmac: string[]; jwt: string[] }
  relyingParty: { verified: number; afterRotation: number }
  oldVerified: number
}
export function runSigningRotation(options?: { concurrency?: number; beforeMs?: number; afterMs?: number; preRotation?: number; log?: (line: string) => void }): Promise<SigningRotationResult>
export function verifyWithJwks(jwks: { keys: Record<string, string>[] }, token: string): { ok: true } | { ok: false; reason: string }
export function removeProject(project: TempProject): Promise<void>
