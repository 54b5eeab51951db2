/**
 * The `result` each endpoint must carry on success. api.ts checks it before anything reads the
 * answer, so a success without the expected shape (no `result`, `result: null`, the wrong type)
 * ends as `cloudflare_unexpected_answer` instead of being read as "empty". The shapes follow the
 * SDK's response types (node_modules/cloudflare/resources/secrets-store/…), checking only the
 * fields layer reads.
 */

export interface ResultShape {
  /** What the request returns, for messages: "a list of secrets". */
  what: string
  /** Why `result` is not that, or undefined when it is. `present`: the envelope had a `result` member. */
  problem(result: unknown, present: boolean): string | undefined
}

/** How a wrong `result` looks, in words (never its content: it may echo what was sent). */
function described(result: unknown, present: boolean): string {
  if (!present) return "the answer has no `result`"
  if (result === null) return "`result` is null"
  if (Array.isArray(result)) return `\`result\` is a list of ${result.length}`
  return `\`result\` is ${typeof result === "object" ? "an object" : `a ${typeof result}`}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
}

/** The first required field that is missing or not a string, named; optional ones may be absent or null. */
function fieldProblem(item: Record<string, unknown>, required: readonly string[], optional: readonly string[] = []): string | undefined {
  for (const field of required) if (typeof item[field] !== "string") return `\`${field}\` is ${item[field] === undefined ? "missing" : "not a string"}`
  for (const field of optional) if (item[field] !== undefined && item[field] !== null && typeof item[field] !== "string") return `\`${field}\` is not a string`
  return undefined
}

export function objectWith(what: string, required: readonly string[], optional: readonly string[] = []): ResultShape {
  return {
    what,
    problem(result, present) {
      if (!isRecord(result)) return described(result, present)
      const wrong = fieldProblem(result, required, optional)
      return wrong && `in \`result\`, ${wrong}`
    },
  }
}

export function listOf(what: string, required: readonly string[], optional: readonly string[] = []): ResultShape {
  return {
    what,
    problem(result, present) {
      if (!Array.isArray(result)) return described(result, present)
      for (const [index, item] of result.entries()) {
        if (!isRecord(item)) return `item ${index + 1} of \`result\` is not an object`
        const wrong = fieldProblem(item, required, optional)
        if (wrong) return `in item ${index + 1} of \`result\`, ${wrong}`
      }
      return undefined
    },
  }
}

const SECRET_FIELDS = ["id", "name", "created", "modified"] as const
const SECRET_OPTIONAL = ["comment", "store_id"] as const

export const SECRET_LIST = listOf("a list of secrets", SECRET_FIELDS, SECRET_OPTIONAL)
export const SECRET = objectWith("the secret written", SECRET_FIELDS, SECRET_OPTIONAL)
export const STORE_LIST = listOf("a list of stores", ["id", "name"])
export const STORE = objectWith("the store created", ["id", "name"])
export const QUOTA = objectWith("the account's quota", [])
export const TOKEN_VERIFY = objectWith("the token's status", ["id", "status"])
export const ACCOUNT_LIST = listOf("a list of accounts", ["id", "name"])
/** `GET /workers/scripts`: an account without scripts answers `[]`; null or no `result` is not "none". */
export const SCRIPT_LIST = listOf("a list of Worker scripts", ["id"])

/** The secrets a bulk create made: one per secret sent, with the names sent. */
export function createdSecrets(names: readonly string[]): ResultShape {
  return {
    what: `the ${names.length} secret${names.length === 1 ? "" : "s"} created`,
    problem(result, present) {
      const listed = SECRET_LIST.problem(result, present)
      if (listed) return listed
      const got = (result as { name: string }[]).map((secret) => secret.name).sort()
      const sent = [...names].sort()
      return got.length === sent.length && got.every((name, index) => name === sent[index]) ? undefined : `\`result\` lists ${got.length} secret${got.length === 1 ? "" : "s"}, not the ${sent.length} sent`
    },
  }
}

/**
 * DELETE of a secret: the SDK (7.3) types it `SecretDeleteResponse | null` ("Result is null
 * for delete operations"); issue #25 reads the published schema as 202 with an object. Both
 * are accepted (tools/cf-emulator/FACTS.md 2.10); only a non-object, non-null result is wrong.
 */
export const DELETED: ResultShape = {
  what: "the deletion's answer (null or an object)",
  problem(result, present) {
    return !present || result === null || isRecord(result) ? undefined : described(result, present)
  },
}

/** workers.dev answers `layer deploy` reads (SDK `workers/subdomains`, `workers/scripts/subdomain`). */
export const ACCOUNT_SUBDOMAIN = objectWith("the account's workers.dev subdomain", ["subdomain"])
export const SCRIPT_SUBDOMAIN: ResultShape = {
  what: "the script's workers.dev status",
  problem(result, present) {
    if (!isRecord(result)) return described(result, present)
    return typeof result.enabled === "boolean" ? undefined : "in `result`, `enabled` is not true or false"
  },
}
