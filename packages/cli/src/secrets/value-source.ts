/**
 * Where `layer secret set` takes the value from (docs/design.md#cli): exactly one of --value,
 * --value-env VAR, --from-stdin, or a hidden prompt asked twice at a terminal. The choice
 * is checked before anything else happens; the value itself is read later, once the NAME
 * is known to be good, so nobody types a secret only to be told the name was wrong.
 */
import { LayerError } from "../errors.js"
import type { Terminal, TerminalInput } from "../output/prompt.js"
import { SecretText } from "../providers/provider.js"
import { MAX_QUOTED_INPUT, quoteInput } from "../output/quote.js"

export type ValueSource =
  | { kind: "flag"; value: string }
  | { kind: "env"; variable: string }
  | { kind: "stdin" }
  | { kind: "prompt" }

export interface SourceFlags {
  value: string | undefined
  valueEnv: string | undefined
  fromStdin: boolean
}

const SOURCES_HINT = "pass exactly one of --value-env VAR, --from-stdin, --value (visible to other processes), or run at a terminal to be prompted"

/** Pick the source from the flags; throws when there are two, or none without a terminal. */
export function chooseValueSource(flags: SourceFlags, interactive: boolean): ValueSource {
  const given = [
    flags.value !== undefined ? "--value" : undefined,
    flags.valueEnv !== undefined ? "--value-env" : undefined,
    flags.fromStdin ? "--from-stdin" : undefined,
  ].filter((flag): flag is string => flag !== undefined)
  if (given.length > 1) {
    throw new LayerError("conflicting_value_sources", `${given.join(" and ")} were both given; the value must come from exactly one source`, {
      hint: SOURCES_HINT,
    })
  }
  if (flags.value !== undefined) return { kind: "flag", value: flags.value }
  if (flags.valueEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.valueEnv)) {
      // Not echoed: a value passed here by mistake ("$TOKEN" instead of TOKEN) must not be printed.
      throw new LayerError("invalid_env_name", "--value-env takes the name of an environment variable (letters, digits and _, not starting with a digit), and what was given is not one", {
        hint: "pass the variable's name, not its value: --value-env STRIPE_SECRET",
      })
    }
    return { kind: "env", variable: flags.valueEnv }
  }
  if (flags.fromStdin) return { kind: "stdin" }
  if (!interactive) {
    throw new LayerError("no_value_source", "no value given and stdin is not a terminal, so there is no one to prompt", { hint: SOURCES_HINT })
  }
  return { kind: "prompt" }
}

export interface ReadValueContext {
  env: NodeJS.ProcessEnv
  stdin: TerminalInput
  terminal: Terminal
  /** Shown in the prompt: `lo_… (auth/session-key) in dev`. */
  label: string
}

/** Read the value from its source; empty values are refused whatever the source. */
export async function readValue(source: ValueSource, context: ReadValueContext): Promise<SecretText> {
  switch (source.kind) {
    case "flag":
      if (source.value === "") throw emptyValue("--value is empty", "pass the value, or use --value-env VAR / --from-stdin")
      return new SecretText(source.value)
    case "env": {
      const value = context.env[source.variable]
      const shown = showableVariableName(source.variable)
      if (value === undefined) {
        throw new LayerError("env_var_unset", `environment variable ${shown} (from --value-env) is not set`, {
          hint: `export ${shown}=… in this shell first, or pass the name of a variable that is set (--value-env takes a name, not a value)`,
        })
      }
      if (value === "") {
        throw new LayerError("empty_value", `environment variable ${shown} (from --value-env) is empty`, {
          hint: `give ${shown} a value first; an empty secret is never what was meant`,
        })
      }
      return new SecretText(value)
    }
    case "stdin": {
      const value = await readStdinToEnd(context.stdin)
      if (value === "") throw emptyValue("stdin was empty", "pipe the value in, e.g. printf '%s' \"$VALUE\" | layer secret set NAME --from-stdin")
      return new SecretText(value)
    }
    case "prompt": {
      const first = await context.terminal.hidden(`Value for ${context.label}: `)
      if (first === "") throw emptyValue("the value entered was empty", "type or paste the value, then Enter")
      const second = await context.terminal.hidden("Enter it again: ")
      if (first !== second) {
        throw new LayerError("prompt_mismatch", "the two entries differ; nothing was written", { hint: "run the command again and enter the same value twice" })
      }
      return new SecretText(first)
    }
  }
}

/**
 * `--value-env "$TOKEN"` (the value instead of the name) is an easy slip, and an
 * alphanumeric token is also a valid variable name. So a name is only repeated when it looks
 * like a conventional variable (upper case, digits and _, at most 64 characters); otherwise
 * the message says "VAR" rather than risk printing a value.
 */
function showableVariableName(name: string): string {
  if (!/^[A-Z_][A-Z0-9_]{0,63}$/.test(name)) return "VAR (name not shown: it does not look like a conventional variable name and may be a value)"
  return name.length <= MAX_QUOTED_INPUT ? name : quoteInput(name)
}

function emptyValue(message: string, hint: string): LayerError {
  return new LayerError("empty_value", `${message}; nothing was written`, { hint })
}

/** All of stdin as UTF-8, byte for byte: nothing trimmed. Invalid UTF-8 is refused, not mangled. */
async function readStdinToEnd(stdin: TerminalInput): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array))
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new LayerError("invalid_utf8", "stdin is not valid UTF-8; secret values are text", {
      hint: "encode binary values first, e.g. as base64url: openssl base64 -A < FILE | tr '+/' '-_' | tr -d '='",
    })
  }
}
