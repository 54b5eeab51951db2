/**
 * Thrown when `secret.*()` gets an option that breaks a rule. The message names the option
 * path, the value given and the rule, so the fix is obvious from the message alone.
 * Declarations never carry secret values, so printing the given value is safe here.
 */
export class DeclarationError extends Error {
  readonly code = "invalid_declaration"
  readonly option: string
  constructor(option: string, given: unknown, rule: string, where?: string) {
    const subject = where ? `${where}: ` : ""
    super(`${subject}option "${option}" is ${describe(given)}: ${rule}`)
    this.name = "DeclarationError"
    this.option = option
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "missing"
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value)
  try {
    return JSON.stringify(value)
  } catch {
    return typeof value
  }
}
