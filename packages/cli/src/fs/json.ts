/**
 * JSON read from a file, without ever echoing the file. V8's SyntaxError quotes the text it
 * failed on (`Unexpected token 'B', "BEGIN PRIV"... is not valid JSON`), so a state file or
 * cache linked to, or replaced by, a private file would print that file's first characters
 * through any message built from the error. Callers get `undefined` and name the file themselves.
 */
export function parseJsonQuietly(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
