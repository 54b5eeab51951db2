/**
 * Where rotation keeps its files. The state directory holds no plaintext and is meant to be
 * committed; the lock lives outside it, so a lock left by a killed run never reaches git.
 */
import { join } from "node:path"
import { projectStateDir, rotationStateDir } from "../paths.js"

/** `.layeron/secret-rotation/<env>/`: safe to commit (no plaintext), and teams should. */
export function rotationDir(projectRoot: string, environment: string): string {
  return rotationStateDir(projectRoot, environment)
}

export function secretStatePath(projectRoot: string, environment: string, physicalName: string): string {
  return join(rotationDir(projectRoot, environment), `${physicalName}.json`)
}

export function publicKeyPath(projectRoot: string, environment: string): string {
  return join(rotationDir(projectRoot, environment), "public-key.json")
}

/** `.layeron/locks/<env>.lock`: one writer of an environment's secrets and state at a time. */
export function lockPath(projectRoot: string, environment: string): string {
  return join(projectStateDir(projectRoot), "locks", `${environment}.lock`)
}
