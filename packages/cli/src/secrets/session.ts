/**
 * What every `secret` command starts from: the loaded project, the selected environment,
 * its catalog of declared secrets, and (created on first use) its provider.
 */
import { loadProject } from "../config/index.js"
import type { LoadedProject } from "../config/index.js"
import type { CommandContext } from "../commands/types.js"
import { layeronHome } from "../paths.js"
import { createProvider } from "../providers/index.js"
import type { SecretProvider } from "../providers/provider.js"
import { buildCatalog } from "./catalog.js"
import type { SecretCatalog } from "./catalog.js"

export interface SecretSession {
  project: LoadedProject
  environment: string
  catalog: SecretCatalog
  /** LAYERON_HOME (not created until something needs to be written there). */
  home: string
  provider(): Promise<SecretProvider>
}

export async function openSecretSession(context: CommandContext): Promise<SecretSession> {
  const debug = (message: string) => context.output.debug(message)
  const project = await loadProject({ cwd: context.global.cwd, environment: context.global.env, env: context.env, debug, warn: (message) => context.output.warn(message) })
  const catalog = await buildCatalog(project)
  const home = layeronHome({ env: context.env })
  let provider: Promise<SecretProvider> | undefined
  return {
    project,
    environment: project.environment.name,
    catalog,
    home,
    provider() {
      provider ??= createProvider(project.environment.config, {
        projectRoot: project.root,
        environment: project.environment.name,
        home,
        owner: { workspace: project.config.workspace, project: project.config.name },
        env: context.env,
        debug,
        warn: (message) => context.output.warn(message),
        now: context.now,
      }).then(async (real) => {
        // Packing is for Cloudflare environments only (config rules): a local one loads none of it.
        if (project.environment.config.provider !== "cloudflare") return real
        const { providerForLayout } = await import("../packing/index.js")
        return providerForLayout(project.environment.config, real, { projectRoot: project.root, environment: project.environment.name, owner: { workspace: project.config.workspace, project: project.config.name }, catalog })
      })
      return provider
    },
  }
}
