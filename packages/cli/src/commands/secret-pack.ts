/**
 * `layer secret pack` and `layer secret unpack` (docs/design.md#packing): move a Cloudflare
 * environment's values into packs (after `packing: true`) or back out (after removing it).
 * A plan by default; `--apply` (asks unless --yes) writes the new physical secrets, redeploys so
 * the Secret Product Worker binds them, and only then deletes the old ones. The logic is in
 * packing/migrate.ts; this file checks the config, asks, calls and renders.
 */
import { deploy } from "../deploy/index.js"
import { LayerError } from "../errors.js"
import { confirmWrites, requireConfirmationSource } from "../framework/confirm.js"
import type { CommandResult, HumanBlock } from "../output/index.js"
import { applyPackWrites, applyUnpackWrites, deleteOld, planPack, planUnpack } from "../packing/migrate.js"
import type { MigrationContext, MigrationPlan } from "../packing/migrate.js"
import { isPacked, packableSecrets } from "../packing/index.js"
import { createProvider } from "../providers/index.js"
import { checkCheckoutState } from "../rotation/checkout.js"
import { lockWaitFromEnv, withEnvironmentLock } from "../rotation/lock.js"
import { openSecretSession } from "../secrets/session.js"
import { booleanFlag } from "./types.js"
import type { CommandContext } from "./types.js"

export interface SecretPackDocument extends MigrationPlan {
  environment: string
  applied: boolean
  /** After --apply: the redeploy's exit code (0: the Workers bind the new secrets). */
  deployExitCode?: number
  /** After --apply: the old physical secrets deleted (none when the redeploy failed). */
  deleted?: string[]
}

export function run(context: CommandContext): Promise<CommandResult<SecretPackDocument>> {
  return migrate(context, "pack")
}

export async function migrate(context: CommandContext, direction: "pack" | "unpack"): Promise<CommandResult<SecretPackDocument>> {
  const apply = booleanFlag(context.flags, "apply")
  if (apply) requireConfirmationSource(context, `\`secret ${direction} --apply\``, "or leave out --apply to see the plan and write nothing")
  const session = await openSecretSession(context)
  const { project, environment, catalog } = session
  const config = project.environment.config
  if (config.provider !== "cloudflare") {
    throw new LayerError("packing_local", `environment "${environment}" is local: packing applies to Cloudflare environments only (a local store has no secret quota); nothing was written`)
  }
  if (direction === "pack" && !isPacked(config)) {
    throw new LayerError("packing_off", `environment "${environment}" does not have packing: true in ${project.configFile}; nothing was written`, {
      hint: `set environments.${environment}.packing: true first (the config says what the store should be; this command moves the values there)`,
    })
  }
  if (direction === "unpack" && isPacked(config)) {
    throw new LayerError("packing_on", `environment "${environment}" still has packing: true in ${project.configFile}; nothing was written`, {
      hint: `remove environments.${environment}.packing (or set it to false) first, then run this again`,
    })
  }
  const real = await createProvider(config, { projectRoot: project.root, environment, home: session.home, owner: { workspace: project.config.workspace, project: project.config.name }, env: context.env, debug: (message) => context.output.debug(message), now: context.now })
  const migration: MigrationContext = {
    projectRoot: project.root,
    environment,
    owner: { workspace: project.config.workspace, project: project.config.name },
    members: packableSecrets(catalog),
    real,
    sealingKeyName: catalog.sealingKeyName,
  }
  await checkCheckoutState({ projectRoot: project.root, environment, sealingKeyName: catalog.sealingKeyName, sealingKeyStored: async () => (await real.find(catalog.sealingKeyName)) !== undefined })
  const planOf = () => (direction === "pack" ? planPack(migration) : planUnpack(migration))
  const lockWaitMs = lockWaitFromEnv(context.env)
  const locked = <T>(fn: () => Promise<T>) => withEnvironmentLock(project.root, environment, `layer secret ${direction} --env ${environment}`, fn, lockWaitMs === undefined ? {} : { waitMs: lockWaitMs })
  const plan = await locked(planOf)
  if (!apply || (plan.writes.length === 0 && plan.deletes.length === 0)) {
    return { json: { environment, ...plan, applied: false }, human: render(environment, plan, apply) }
  }
  await confirmWrites(context, `${direction === "pack" ? "Pack" : "Unpack"} "${environment}": write ${plan.writes.length}, redeploy, then delete ${plan.deletes.length}?`, `nothing was ${direction}ed`)
  const at = context.now()
  await locked(() => (direction === "pack" ? applyPackWrites(migration, at) : applyUnpackWrites(migration, `layer secret unpack --env ${environment}`, at)))
  context.output.progress(`wrote ${plan.writes.length} secret${plan.writes.length === 1 ? "" : "s"}; redeploying so the Workers bind them`)
  const redeploy = await deploy({ cwd: context.global.cwd, environment, env: context.env, dryRun: false, now: context.now, debug: (message) => context.output.debug(message), warn: (message) => context.output.warn(message), note: (message) => context.output.progress(message) })
  context.output.progress(undefined)
  const document: SecretPackDocument = { environment, ...plan, applied: true, deployExitCode: redeploy.exitCode }
  if (redeploy.exitCode !== 0) {
    // The old secrets stay: a running Worker may still read them until a deploy binds the new ones.
    throw new LayerError("redeploy_failed", `the new secrets are written, but the redeploy failed (see \`layer deploy --env ${environment} --dry-run\`), so the old ones were kept; nothing was deleted`, {
      hint: `fix what the deploy reports, then run \`layer secret ${direction} --env ${environment} --apply --yes\` again: it redeploys and deletes the old secrets`,
      details: { writes: plan.writes.map((write) => write.physicalName) },
    })
  }
  const after = await locked(planOf)
  document.deleted = await locked(() => deleteOld(migration, after))
  return { json: document, human: [...render(environment, plan, true), { type: "line", text: `done: redeployed; deleted ${document.deleted.length} old secret${document.deleted.length === 1 ? "" : "s"}; commit ${project.root === context.global.cwd ? "" : `${project.root}/`}.layeron/secret-rotation/${environment}/`, tone: "success" }] }
}

function render(environment: string, plan: MigrationPlan, applying: boolean): HumanBlock[] {
  const verb = plan.direction === "pack" ? "pack" : "unpack"
  if (plan.writes.length === 0 && plan.deletes.length === 0) return [{ type: "line", text: `${environment}: nothing to ${verb} (${plan.physicalBefore} physical secret${plan.physicalBefore === 1 ? "" : "s"})`, tone: "muted" }]
  return [
    { type: "line", text: `${verb} plan for ${environment}: ${plan.physicalBefore} physical secrets now, ${plan.physicalAfter} after`, tone: "strong" },
    ...plan.writes.map((write): HumanBlock => ({ type: "line", text: `  1. write ${write.physicalName} (${write.members.join(", ")})` })),
    { type: "line", text: "  2. redeploy: the Secret Product Worker binds the new secrets" },
    ...plan.deletes.map((name): HumanBlock => ({ type: "line", text: `  3. delete ${name} (no longer bound)` })),
    ...(applying ? [] : [{ type: "line" as const, text: `run \`layer secret ${verb} --env ${environment} --apply --yes\` to do it`, tone: "muted" as const }]),
  ]
}
