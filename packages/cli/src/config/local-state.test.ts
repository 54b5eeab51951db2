import assert from "node:assert/strict"
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { physicalName, sealingKeyDeclaration } from "@layeron/modules/naming"
import { generateSealingKeyPair } from "@layeron/modules/seal"
import { isLocalEnvironment, localRotationStateDir, rotationStateDir, sharedRotationStateDir } from "../paths.js"
import { createLocalProvider } from "../providers/local/index.js"
import { SecretText } from "../providers/provider.js"
import { settleLocalStateLocations } from "./local-state.js"
import type { ProjectConfig } from "./types.js"

const config: ProjectConfig = {
  workspace: "acme",
  name: "shop",
  backends: {},
  defaultEnvironment: "dev",
  environments: { dev: { provider: "local" }, production: { provider: "cloudflare" } },
}

describe("local environments' rotation state", () => {
  let base: string
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "layeron-local-state-"))
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })

  /** A checkout whose dev store holds a sealing key, and an old-style committed dev state. */
  async function checkout(name: string, committedKey: "own" | "another"): Promise<{ root: string; home: string; files: Map<string, string> }> {
    const root = join(base, name)
    const home = join(base, `${name}-home`)
    const sealingKey = await physicalName({ workspace: "acme", project: "shop", environment: "dev", namespace: sealingKeyDeclaration.namespace, name: sealingKeyDeclaration.name })
    const own = await generateSealingKeyPair()
    await createLocalProvider({ projectRoot: root, environment: "dev", home }).upsert(sealingKey, new SecretText(JSON.stringify(own.privateKey)))
    const publicKey = committedKey === "own" ? own.publicKey : (await generateSealingKeyPair()).publicKey
    const files = new Map([
      ["public-key.json", JSON.stringify({ format: "layeron.sealing-key/v1", environment: "dev", physicalName: sealingKey, publicKey }) + "\n"],
      ["lo_000000000000000000000001.json", '{"state":"one"}\n'],
    ])
    await mkdir(sharedRotationStateDir(root, "dev"), { recursive: true })
    for (const [file, text] of files) await writeFile(join(sharedRotationStateDir(root, "dev"), file), text)
    return { root, home, files }
  }

  async function contents(dir: string): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    for (const file of await readdir(dir).catch(() => [] as string[])) found.set(file, await readFile(join(dir, file), "utf8"))
    return found
  }

  it("records which environments are local: their state lives with the local store", async () => {
    const root = join(base, "paths")
    await settleLocalStateLocations({ root, config, environment: "production", home: join(base, "h"), debug: () => {} })
    assert.equal(isLocalEnvironment(root, "dev"), true)
    assert.equal(rotationStateDir(root, "dev"), join(root, ".layeron", "local", "dev", "rotation"))
    assert.equal(rotationStateDir(root, "production"), join(root, ".layeron", "secret-rotation", "production"))
  })

  it("moves this checkout's own committed state once, byte for byte, and says so once", async () => {
    const { root, home, files } = await checkout("own", "own")
    const warnings: string[] = []
    const settle = () => settleLocalStateLocations({ root, config, environment: "dev", home, warn: (m) => warnings.push(m), debug: () => {} })
    await settle()
    await settle()
    assert.deepEqual(await contents(localRotationStateDir(root, "dev")), files)
    assert.deepEqual(await contents(sharedRotationStateDir(root, "dev")), new Map())
    assert.equal(warnings.length, 1)
    assert.match(warnings[0]!, /moved the rotation state of local environment "dev" .+ git rm -r --cached --quiet \.layeron\/secret-rotation\/dev/)
  })

  it("finishes a move killed halfway (the public key already moved)", async () => {
    const { root, home, files } = await checkout("halfway", "own")
    await mkdir(localRotationStateDir(root, "dev"), { recursive: true })
    await rename(join(sharedRotationStateDir(root, "dev"), "public-key.json"), join(localRotationStateDir(root, "dev"), "public-key.json"))
    await settleLocalStateLocations({ root, config, environment: "dev", home, warn: () => {}, debug: () => {} })
    assert.deepEqual(await contents(localRotationStateDir(root, "dev")), files)
  })

  it("leaves another developer's committed state where it is (its public key is not this store's pair), and without warn moves nothing", async () => {
    const other = await checkout("other", "another")
    const warnings: string[] = []
    await settleLocalStateLocations({ root: other.root, config, environment: "dev", home: other.home, warn: (m) => warnings.push(m), debug: () => {} })
    assert.deepEqual(await contents(sharedRotationStateDir(other.root, "dev")), other.files)
    assert.deepEqual(await contents(localRotationStateDir(other.root, "dev")), new Map())
    assert.deepEqual(warnings, [])

    const own = await checkout("quiet", "own")
    await settleLocalStateLocations({ root: own.root, config, environment: "dev", home: own.home, debug: () => {} })
    assert.deepEqual(await contents(sharedRotationStateDir(own.root, "dev")), own.files)
  })

  it("with the user's key gone (a lost LAYERON_HOME), cannot prove the state is its own: nothing moves", async () => {
    const { root, home, files } = await checkout("lost", "own")
    await rm(home, { recursive: true })
    await settleLocalStateLocations({ root, config, environment: "dev", home, warn: () => assert.fail("warned"), debug: () => {} })
    assert.deepEqual(await contents(sharedRotationStateDir(root, "dev")), files)
  })
})
