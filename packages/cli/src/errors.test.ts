import assert from "node:assert/strict"
import { open } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, it } from "node:test"
import { asLayerError, isLayerError, LayerError, systemErrorToLayerError } from "./errors.js"

/** A system error as Node builds one (code, errno, syscall, path). */
function systemError(code: string, syscall: string, path?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, ${syscall}${path ? ` '${path}'` : ""}`), { code, errno: -1, syscall, ...(path ? { path } : {}) })
}

describe("operating-system errors in plain words", () => {
  const cases: [errno: string, code: string, cause: RegExp][] = [
    ["ENOSPC", "disk_full", /no space left on the device/],
    ["EDQUOT", "disk_full", /quota/],
    ["EROFS", "read_only_file_system", /read-only/],
    ["EACCES", "permission_denied", /permission denied/],
    ["EPERM", "permission_denied", /not permitted/],
    ["EMFILE", "too_many_open_files", /this process has too many open files/],
    ["ENFILE", "too_many_open_files", /the system has too many open files/],
    ["ENOMEM", "out_of_memory", /out of memory/],
  ]
  for (const [errno, code, cause] of cases) {
    it(`${errno} → ${code}, naming the path, the cause and the errno, with a hint that deletes nothing`, () => {
      const error = systemErrorToLayerError(systemError(errno, "open", "/p/.layeron/local/dev/X.json"))
      assert.ok(error && isLayerError(error))
      assert.equal(error.code, code)
      assert.equal(error.exitCode, 1)
      assert.match(error.message, /\/p\/\.layeron\/local\/dev\/X\.json/)
      assert.match(error.message, cause)
      assert.match(error.message, new RegExp(`\\(${errno}\\)`))
      assert.doesNotMatch(error.hint ?? "", /delete|remove|rm /i)
      assert.deepEqual(error.details, { errno, path: "/p/.layeron/local/dev/X.json", syscall: "open" })
    })
  }

  it("names the resource when the error has no path (a spawn, an allocation)", () => {
    assert.match(systemErrorToLayerError(systemError("ENOMEM", "spawn"), "starting workerd")?.message ?? "", /^starting workerd: out of memory \(ENOMEM\)$/)
    assert.match(systemErrorToLayerError(systemError("EMFILE", "socket"))?.message ?? "", /^socket\(\): this process has too many open files/)
    const allocation = systemErrorToLayerError(new RangeError("Array buffer allocation failed"), "reading the import file")
    assert.equal(allocation?.code, "out_of_memory")
    assert.match(allocation?.message ?? "", /^reading the import file: out of memory/)
  })

  it("ENOENT from the file system is not translated (callers handle it)", async () => {
    const missing = await open(join(tmpdir(), "layeron-no-such-dir", "x")).catch((error: unknown) => error)
    assert.equal(systemErrorToLayerError(missing), undefined)
    assert.equal(asLayerError(missing), missing)
  })

  it("leaves LayerErrors and other errors alone (those stay 'a bug in layer')", () => {
    const ours = new LayerError("x", "y")
    assert.equal(asLayerError(ours), ours)
    const bug = new TypeError("cannot read properties of undefined")
    assert.equal(asLayerError(bug), bug)
    assert.equal(systemErrorToLayerError(new RangeError("Invalid array length")), undefined)
  })
})
