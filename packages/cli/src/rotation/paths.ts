import { join } from "node:path"

/** `.layeron/secret-rotation/<env>/`: safe to commit (no plaintext), and teams should. */
export function rotationDir(projectRoot: string, environment: string): string {
  return join(projectRoot, ".layeron", "secret-rotation", environment)
}

export function secretStatePath(projectRoot: string, environment: string, physicalName: string): string {
  return join(rotationDir(projectRoot, environment), `${physicalName}.json`)
}

export function publicKeyPath(projectRoot: string, environment: string): string {
  return join(rotationDir(projectRoot, environment), "public-key.json")
}

export function lockPath(projectRoot: string, environment: string): string {
  return join(rotationDir(projectRoot, environment), ".lock")
}
