import assert from "node:assert/strict"
import { mkdtemp, mkdir, rm, stat, chmod } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, it } from "node:test"
import { ensureLayeronHome, layeronHome, localStoreDir, rotationStateDir } from "./paths.js"

describe("layeronHome", () => {
  it("prefers LAYERON_HOME", () => {
    assert.equal(layeronHome({ env: { LAYERON_HOME: "/x/home", XDG_CONFIG_HOME: "/xdg" }, platform: "linux", homedir: "/u" }), "/x/home")
  })
  it("uses $XDG_CONFIG_HOME/layeron, else ~/.config/layeron on Linux", () => {
    assert.equal(layeronHome({ env: { XDG_CONFIG_HOME: "/xdg" }, platform: "linux", homedir: "/u" }), "/xdg/layeron")
    assert.equal(layeronHome({ env: {}, platform: "linux", homedir: "/u" }), "/u/.config/layeron")
  })
  it("uses ~/Library/Application Support/layeron on macOS", () => {
    assert.equal(layeronHome({ env: { XDG_CONFIG_HOME: "/xdg" }, platform: "darwin", homedir: "/Users/a" }), "/Users/a/Library/Application Support/layeron")
  })
  it("uses %APPDATA%/layeron on Windows", () => {
    assert.equal(layeronHome({ env: { APPDATA: "/appdata" }, platform: "win32", homedir: "/u" }), join("/appdata", "layeron"))
  })
})

describe("ensureLayeronHome", () => {
  it("creates the directory 0700, and narrows one that others can read", async () => {
    const base = await mkdtemp(join(tmpdir(), "layeron-home-"))
    try {
      const home = await ensureLayeronHome({ env: { LAYERON_HOME: join(base, "a", "layeron") } })
      assert.equal((await stat(home)).mode & 0o777, 0o700)
      const open = join(base, "open")
      await mkdir(open)
      await chmod(open, 0o755)
      await ensureLayeronHome({ env: { LAYERON_HOME: open } })
      assert.equal((await stat(open)).mode & 0o777, 0o700)
    } finally {
      await rm(base, { recursive: true, force: true })
    }
  })
})

describe("project paths", () => {
  it("keeps the local store and rotation state per environment under .layeron", () => {
    assert.equal(localStoreDir("/p", "dev"), "/p/.layeron/local/dev")
    assert.equal(rotationStateDir("/p", "production"), "/p/.layeron/secret-rotation/production")
  })
})
