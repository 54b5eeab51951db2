export { physicalName, physicalNameInput, isPhysicalName, hashedName, canonicalNameInput } from "./physical-name.js"
export { sealingKeyDeclaration } from "./sealing-key.js"
export { NamingError } from "./errors.js"
export type { PhysicalNameParts, NamingErrorCode } from "./types.js"
