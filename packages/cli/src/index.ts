/**
 * @layeron/cli as a library: the command table and runner behind the `layer` bin, and the
 * error type every command throws. Most users want the bin; tools that drive `layer` in
 * process (tests, wrappers) use `runCli`.
 */
export { COMMANDS, runCli, cliVersion } from "./cli.js"
export type { CliRuntime } from "./cli.js"
export { LayerError, isLayerError } from "./errors.js"
export type { ExitCode, LayerErrorOptions } from "./errors.js"
