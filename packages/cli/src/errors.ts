/**
 * The CLI's one error type. A LayerError carries a stable `code`, the process exit code and a
 * `hint` that says how to fix the problem. Constructors take names and numbers, never values
 * or tokens, so no error can print one.
 */
/** 1 error, 2 "rotations are due" (`secret rotate` plan), 3 reserved, 130 interrupted (Ctrl-C). */
export type ExitCode = 1 | 2 | 3 | 130

export interface LayerErrorOptions {
  hint?: string
  /** Defaults to 1. (2 is reserved for "rotations are due" in `secret rotate`.) */
  exitCode?: ExitCode
  /** Extra fields for `--json` error output; must never hold a value or token. */
  details?: Record<string, unknown>
  cause?: unknown
}

export class LayerError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: ExitCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: string, message: string, options: LayerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "LayerError"
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? 1
    this.details = options.details
  }
}

export function isLayerError(error: unknown): error is LayerError {
  return error instanceof Error && (error as { name?: string }).name === "LayerError" && "code" in error
}

/**
 * What an operating-system refusal means to the user: a stable code, the cause in plain
 * words and a true way out. Every write is atomic (fs/atomic.ts), so after freeing the
 * resource the same command converges; the hints say so and never suggest deleting data.
 */
const SYSTEM_ERRORS: Record<string, { code: string; cause: string; hint: string }> = {
  ENOSPC: { code: "disk_full", cause: "no space left on the device", hint: "free some space on that disk, then run the same command again (what was written stays whole)" },
  EDQUOT: { code: "disk_full", cause: "the disk quota is used up", hint: "free some space under your quota, then run the same command again (what was written stays whole)" },
  EROFS: { code: "read_only_file_system", cause: "the file system is mounted read-only", hint: "run layer where the project and LAYERON_HOME are writable (or remount the file system read-write), then run the same command again" },
  EACCES: { code: "permission_denied", cause: "permission denied", hint: "check the owner and mode of that path and its directories (ls -ld), then run the same command again" },
  EPERM: { code: "permission_denied", cause: "the operation is not permitted", hint: "check the owner, mode and attributes of that path and its directories (ls -ld, lsattr), then run the same command again" },
  EMFILE: { code: "too_many_open_files", cause: "this process has too many open files", hint: "raise the per-process limit (ulimit -n), then run the same command again" },
  ENFILE: { code: "too_many_open_files", cause: "the system has too many open files", hint: "close programs that hold many files (or raise fs.file-max), then run the same command again" },
  ENOMEM: { code: "out_of_memory", cause: "out of memory", hint: "free memory (or raise this process's memory limit), then run the same command again" },
}

/**
 * A Node system error (ENOSPC, EROFS, EACCES, EPERM, EMFILE, ENFILE, ENOMEM) or a failed
 * allocation, as a LayerError naming the path or resource and the cause; undefined for
 * anything else (which stays "a bug in layer"). `resource` names what was being done when
 * the error carries no path (a memory allocation, a socket).
 */
export function systemErrorToLayerError(error: unknown, resource?: string): LayerError | undefined {
  if (isLayerError(error) || !(error instanceof Error)) return undefined
  const errno = error as NodeJS.ErrnoException
  const known = typeof errno.code === "string" ? SYSTEM_ERRORS[errno.code] : undefined
  if (known) {
    const where = errno.path ? `${errno.syscall ? `${describeSyscall(errno.syscall)} ` : ""}${errno.path}` : (resource ?? (errno.syscall ? `${errno.syscall}()` : "an operating-system call"))
    return new LayerError(known.code, `${where}: ${known.cause} (${errno.code})`, {
      hint: known.hint,
      cause: error,
      details: { errno: errno.code, ...(errno.path ? { path: errno.path } : {}), ...(errno.syscall ? { syscall: errno.syscall } : {}) },
    })
  }
  // V8's words for an allocation it could not make (Buffer.alloc, new ArrayBuffer, a huge string).
  if (error instanceof RangeError && /allocation failed|Array buffer allocation|out of memory/i.test(error.message)) {
    const memory = SYSTEM_ERRORS.ENOMEM!
    return new LayerError(memory.code, `${resource ?? "a memory allocation"}: ${memory.cause} (${error.message})`, { hint: memory.hint, cause: error, details: { errno: "ENOMEM" } })
  }
  return undefined
}

/** The error as a LayerError when it is one or a known system error; otherwise unchanged. */
export function asLayerError(error: unknown, resource?: string): unknown {
  return systemErrorToLayerError(error, resource) ?? error
}

function describeSyscall(syscall: string): string {
  switch (syscall) {
    case "open":
    case "read":
    case "scandir":
    case "stat":
    case "lstat":
    case "access":
      return `cannot ${syscall === "scandir" ? "read the directory" : syscall === "open" ? "open" : "read"}`
    case "write":
    case "fsync":
    case "copyfile":
    case "rename":
    case "link":
    case "unlink":
    case "mkdir":
    case "rmdir":
    case "chmod":
      return `cannot ${syscall === "mkdir" ? "create the directory" : syscall === "unlink" || syscall === "rmdir" ? "remove" : syscall === "rename" || syscall === "link" ? "move" : "write"}`
    default:
      return `cannot ${syscall}`
  }
}
