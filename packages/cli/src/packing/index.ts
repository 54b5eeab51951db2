/**
 * Packing (docs/design.md#packing): the one place a command's provider becomes a packed
 * environment's provider, and where an environment whose store layout is not what its config
 * says (packing turned on or off without `layer secret pack` / `unpack`) is refused.
 */
import type { EnvironmentConfig } from "../config/types.js"
import type { SecretProvider } from "../providers/provider.js"
import type { SecretCatalog } from "../secrets/catalog.js"
import { packingTurnedOff } from "./errors.js"
import { packsFilePath, readPacksFile } from "./packs-file.js"
import { PackedProvider } from "./provider.js"
import type { PackableSecret, PackingContext } from "./packs-state.js"

export { PackedProvider } from "./provider.js"
export { currentPacks, packName, packPlacements, packRoom, settlePacks, withAssignment } from "./packs-state.js"
export type { PackableSecret, PackingContext } from "./packs-state.js"
export { readPacksFile, writePacksFile, packsFilePath, emptyPacksFile } from "./packs-file.js"
export type { PacksFile, PackRecord, PackMember } from "./types.js"

/** Whether an environment keeps its declarations in packs (`packing: true`; default off). */
export function isPacked(environment: EnvironmentConfig): boolean {
  return environment.provider === "cloudflare" && environment.packing === true
}

export interface LayoutContext {
  projectRoot: string
  environment: string
  owner: { workspace: string; project: string }
  catalog: Pick<SecretCatalog, "declared">
}

/** The declarations a pack may hold: declared `lo_` names; an adopted `secretName` stays its own secret (another tool may read it). */
export function packableSecrets(catalog: Pick<SecretCatalog, "declared">): PackableSecret[] {
  return catalog.declared.filter((secret) => secret.declaration.secretName === undefined).map(({ declaration, physicalName }) => ({ declaration, physicalName }))
}

/**
 * The provider the writers use: packed when the config says so; refused when the config
 * says unpacked but packs.json records packs (the values would be written again beside them).
 */
/** The packing context of an environment (members: packableSecrets). */
export function packingContext(context: LayoutContext): PackingContext {
  return { projectRoot: context.projectRoot, environment: context.environment, owner: context.owner, members: packableSecrets(context.catalog) }
}

export async function providerForLayout(config: EnvironmentConfig, real: SecretProvider, context: LayoutContext): Promise<SecretProvider> {
  if (isPacked(config)) return new PackedProvider(real, packingContext(context))
  const file = await readPacksFile(context.projectRoot, context.environment)
  const written = file?.packs.filter((pack) => pack.anchor !== undefined && !pack.retired) ?? []
  if (written.length > 0) throw packingTurnedOff(context.environment, written.map((pack) => pack.physicalName), packsFilePath(context.projectRoot, context.environment))
  return real
}
