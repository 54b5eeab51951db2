/** The ownership fields a physical name is derived from (docs/design.md#physical-names), in hashing order. */
export interface PhysicalNameParts {
  workspace: string
  project: string
  environment: string
  namespace: string
  name: string
}

/** Codes a naming failure can carry. */
export type NamingErrorCode = "invalid_name_part"
