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
 */
import { CLOUDFLARE_SECRET_NAME_PATTERN, DEFAULT_NAMESPACE } from "@layeron/modules/limits"
import { physicalName, sealingKeyDeclaration } from "@layeron/modules/naming"
import type { SecretDeclaration } from "@layeron/modules/declare"
import { LayerError } from "../errors.js"
import type { LoadedProject } from "../config/index.js"
import { quoteInput } from "../output/quote.js"

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
    throw new LayerError("unknown_declaration", `no declaration ${quoteInput(name)}; declared: ${declaredList}`, {
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
