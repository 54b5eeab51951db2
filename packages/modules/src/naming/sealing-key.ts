import { RESERVED_NAMESPACE } from "../limits.js"

/**
 * Where each environment's sealing private key lives (docs/design.md#rotation): a secret in the reserved
 * namespace, so no user declaration can take its name. Its physical name is derived like
 * any other: `physicalName({ workspace, project, environment, ...sealingKeyDeclaration })`.
 */
export const sealingKeyDeclaration = {
  namespace: RESERVED_NAMESPACE,
  name: "sealing-key",
  /** `namespace/name`, the identity the CLI and the worker manifest use. */
  id: `${RESERVED_NAMESPACE}/sealing-key`,
} as const
