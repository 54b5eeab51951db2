/**
 * The secrets an environment knows by declaration, with their physical names (docs/design.md#physical-names),
 * and how a NAME typed on the command line maps onto them.
 *
 * NAME resolution, decided here:
 * - `namespace/name` must be a declaration (or `layeron/sealing-key`, Layeron's own).
 * - A bare NAME that equals a declaration's physical name (lo_…) or adopted secretName is
 *   that declaration; so is a bare name declared in the "default" namespace
 *   (`session-key` = `default/session-key`).
 * - A bare NAME that is a declared name only in another namespace is refused: writing an
 *   undeclared secret of that name would bind nothing, which is never what was meant.
 * - Anything else is a Cloudflare secret name (`^[A-Za-z0-9_-]{1,255}$`), used as is.
 *
 * `resolveWriteTarget` is what `secret set` and `secret import` both use on top of that
 * (docs/design.md#secret-names): an UPPER_SNAKE name no declaration claims exactly follows the
 * env-style convention (`AUTH__SESSION_KEY`, or `SESSION_KEY` for the one declaration named
 * `session-key`), and an undeclared name a small edit away from a declared one is refused with
 * "did you mean". `--undeclared` turns both off: the name is then taken as typed.
 */
import { CLOUDFLARE_SECRET_NAME_PATTERN, DEFAULT_NAMESPACE } from "@layeron/modules/limits"
import { physicalName, sealingKeyDeclaration } from "@layeron/modules/naming"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { LayerError } from "../errors.js"
import type { LoadedProject } from "../config/index.js"
import { quoteInput } from "../output/quote.js"
import { editDistance } from "../framework/suggest.js"

export interface DeclaredSecret {
  declaration: SecretDeclaration
  backend: string
  physicalName: string
}

export interface SecretCatalog {
  environment: string
  declared: DeclaredSecret[]
  /** Physical name of `layeron/sealing-key` in this environment. */
  sealingKeyName: string
}

export type SecretTarget =
  | { kind: "declared"; physicalName: string; secret: DeclaredSecret }
  | { kind: "sealing_key"; physicalName: string }
  | { kind: "undeclared"; physicalName: string }

export async function buildCatalog(project: LoadedProject): Promise<SecretCatalog> {
  const environment = project.environment.name
  const parts = { workspace: project.config.workspace, project: project.config.name, environment }
  const declared = await Promise.all(
    project.declarations.map(async ({ declaration, backend }) => ({
      declaration,
      backend,
      physicalName: declaration.secretName ?? (await physicalName({ ...parts, namespace: declaration.namespace, name: declaration.name })),
    })),
  )
  const sealingKeyName = await physicalName({ ...parts, namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name })
  return { environment, declared, sealingKeyName }
}

export function resolveTarget(name: string, catalog: SecretCatalog): SecretTarget {
  const declaredList = catalog.declared.map((d) => d.declaration.id).join(", ") || "none"
  if (name.includes("/")) {
    if (name === sealingKeyDeclaration.id) return { kind: "sealing_key", physicalName: catalog.sealingKeyName }
    const secret = catalog.declared.find((d) => d.declaration.id === name)
    if (secret) return { kind: "declared", physicalName: secret.physicalName, secret }
    const near = nearestDeclared(name, catalog)
    throw new LayerError("unknown_declaration", `no declaration ${quoteInput(name)}; declared: ${declaredList}${near ? `; did you mean ${near.declaration.id}?` : ""}`, {
      hint: "check the spelling (namespace/name), or declare it with secret.static/random/generated({ namespace, name }) in a backend; a Cloudflare secret name has no \"/\"",
    })
  }
  if (!CLOUDFLARE_SECRET_NAME_PATTERN.test(name)) {
    throw new LayerError("invalid_secret_name", `${quoteInput(name)} is not a valid secret name: a Cloudflare secret name is 1 to 255 letters, digits, _ and -`, {
      hint: `use a name such as STRIPE_SECRET, or a declared namespace/name (declared: ${declaredList})`,
    })
  }
  const byPhysical = catalog.declared.find((d) => d.physicalName === name)
  if (byPhysical) return { kind: "declared", physicalName: name, secret: byPhysical }
  if (name === catalog.sealingKeyName) return { kind: "sealing_key", physicalName: name }
  const byName = catalog.declared.filter((d) => d.declaration.name === name)
  const inDefault = byName.find((d) => d.declaration.namespace === DEFAULT_NAMESPACE)
  if (inDefault) return { kind: "declared", physicalName: inDefault.physicalName, secret: inDefault }
  if (byName.length > 0) {
    const ids = byName.map((d) => d.declaration.id).join(" or ")
    throw new LayerError("ambiguous_secret_name", `${quoteInput(name)} is declared as ${ids}, not as a Cloudflare secret name`, {
      hint: `write ${byName[0]?.declaration.id} to address the declared secret`,
    })
  }
  return { kind: "undeclared", physicalName: name }
}

/** How a target is shown: `lo_… (auth/session-key)` or the bare name. */
export function describeTarget(target: SecretTarget): string {
  if (target.kind === "declared") return `${target.physicalName} (${target.secret.declaration.id})`
  if (target.kind === "sealing_key") return `${target.physicalName} (${sealingKeyDeclaration.id})`
  return target.physicalName
}

/** How a NAME found its target: as typed, or by the env-style convention. */
export type ResolvedVia = "name" | "convention"

export interface WriteTargetOptions {
  /** `--undeclared`: a name no declaration claims exactly is the Cloudflare secret it names (no convention, no "did you mean"). */
  undeclared?: boolean
}

const ENV_STYLE = /^[A-Z0-9_]+$/

/**
 * The one resolver of `secret set NAME` and `secret import`'s keys: `resolveTarget`, then the
 * env-style convention for UPPER_SNAKE names, then a refusal for an undeclared name that is
 * a small edit away from a declared one (unless `undeclared`).
 */
export function resolveWriteTarget(name: string, catalog: SecretCatalog, options: WriteTargetOptions = {}): { target: SecretTarget; via: ResolvedVia } {
  const direct = resolveTarget(name, catalog)
  if (direct.kind !== "undeclared" || options.undeclared) return { target: direct, via: "name" }
  if (ENV_STYLE.test(name)) {
    if (name === envKey(sealingKeyDeclaration.namespace, sealingKeyDeclaration.name)) return { target: { kind: "sealing_key", physicalName: catalog.sealingKeyName }, via: "convention" }
    const matches = catalog.declared.filter((d) => matchesConvention(name, d))
    if (matches.length > 1) {
      const ids = matches.map((d) => d.declaration.id)
      throw new LayerError("ambiguous_import_key", `${name} matches ${ids.join(" and ")} by the env-style convention`, {
        hint: `name one: ${envKey(matches[0]!.declaration.namespace, matches[0]!.declaration.name)} (NAMESPACE__NAME) or ${ids[0]}; in an import file, the key ${envKey(matches[0]!.declaration.namespace, matches[0]!.declaration.name)}=… or --map ${name}=${ids[0]}`,
      })
    }
    const secret = matches[0]
    if (secret) return { target: { kind: "declared", physicalName: secret.physicalName, secret }, via: "convention" }
  }
  const near = nearestDeclared(name, catalog)
  if (near) {
    const alias = near.declaration.secretName ?? near.declaration.id
    throw new LayerError("undeclared_name_near_declared", `${quoteInput(name)} is not declared, and it is close to ${near.declaration.id}${alias !== near.declaration.id ? ` (${alias})` : ""}: did you mean ${near.declaration.id}?`, {
      hint: `write ${near.declaration.id} to set the declared secret, or pass --undeclared to write an undeclared Cloudflare secret named ${quoteInput(name)}`,
      details: { suggestion: near.declaration.id },
    })
  }
  return { target: direct, via: "name" }
}

/** `auth/session-key` → AUTH__SESSION_KEY. */
export function envKey(namespace: string, name: string): string {
  const upper = (part: string) => part.toUpperCase().replace(/-/g, "_")
  return `${upper(namespace)}__${upper(name)}`
}

function matchesConvention(key: string, secret: DeclaredSecret): boolean {
  const { namespace, name } = secret.declaration
  const upperName = name.toUpperCase().replace(/-/g, "_")
  return key === envKey(namespace, name) || key === upperName || (namespace === DEFAULT_NAMESPACE && key === `DEFAULT__${upperName}`)
}

/**
 * The declaration a name is a likely typo of: within 2 edits (1 for names shorter than 8) of
 * its namespace/name, its secretName or an env-style spelling of it, compared without case and
 * with - and _ alike. Names that equal one of those exactly were resolved before this.
 */
function nearestDeclared(typed: string, catalog: SecretCatalog): DeclaredSecret | undefined {
  const fold = (text: string) => text.toUpperCase().replace(/-/g, "_")
  const given = fold(typed)
  let best: { secret: DeclaredSecret; distance: number } | undefined
  for (const secret of catalog.declared) {
    const { id, namespace, name, secretName } = secret.declaration
    for (const candidate of [id, name, envKey(namespace, name), ...(secretName ? [secretName] : [])]) {
      const folded = fold(candidate)
      const allowed = Math.min(2, folded.length < 8 ? 1 : 2)
      const distance = editDistance(given, folded)
      if (distance <= allowed && (!best || distance < best.distance)) best = { secret, distance }
    }
  }
  return best?.secret
}
