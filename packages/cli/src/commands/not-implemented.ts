/** The body of a command whose real module has not landed yet. */
import { LayerError } from "../errors.js"

export function notImplemented(command: string): never {
  throw new LayerError("not_implemented", `"layer ${command}" is not implemented yet`, {
    hint: "use a newer @layeron/cli, or see `layer --help` for the commands available now",
  })
}
