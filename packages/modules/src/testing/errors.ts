/**
 * Bad input to `testSecrets()` and its methods. Thrown at the call, before anything is read,
 * with a message that names the secret and the problem and says what to write instead.
 * Messages never contain a value: only ids, key paths, rules and times.
 */
export type TestSecretsProblem =
  | "invalid_name"
  | "invalid_value"
  | "invalid_envelope"
  | "duplicate_secret"
  | "invalid_time"
  | "invalid_option"
  | "not_rotatable"
  | "no_value"

export class TestSecretsError extends Error {
  override readonly name = "TestSecretsError"
  readonly problem: TestSecretsProblem

  constructor(problem: TestSecretsProblem, message: string) {
    super(message)
    this.problem = problem
  }
}

/** What a bad argument was, without echoing strings that could be values. */
export function describeInput(value: unknown): string {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  if (value instanceof Date) return "a Date"
  return typeof value === "object" ? "an object" : `a ${typeof value}`
}
