import assert from "node:assert/strict"
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { isLayerError } from "../../errors.js"
import { SecretText } from "../provider.js"
import { createLocalProvider } from "./index.js"

describe("local store opened with a key that is not its own (a new or wiped LAYERON_HOME)", () => {
  let base: string
  let projectRoot: string
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "layeron-store-key-"))
    projectRoot = join(base, "project")
    await createLocalProvider({ projectRoot, environment: "dev", home: join(base, "first") }).upsert("API_KEY", new SecretText("v"))
  })
  after(async () => {
    await rm(base, { recursive: true, force: true })
  })

  const records = async () => Promise.all((await readdir(join(projectRoot, ".layeron", "local", "dev"))).filter((f) => f.endsWith(".json")).map((f) => readFile(join(projectRoot, ".layeron", "local", "dev", f), "utf8")))
  const lost = (why: RegExp) => (error: unknown) =>
    isLayerError(error) && error.code === "local_store_key_lost" && why.test(error.message) && /layer secret reset-local --env dev/.test(error.hint ?? "") && !/layer secret set/.test(error.hint ?? "")

  it("no key at all: refused before writing, and no key is created", async () => {
    const home = join(base, "empty")
    const before = await records()
    const store = createLocalProvider({ projectRoot, environment: "dev", home })
    await assert.rejects(store.checkStoreKey(), lost(/there is no key at .+local-store\.key/))
    await assert.rejects(store.upsert("OTHER", new SecretText("x")), lost(/1 secret\)/))
    await assert.rejects(store.decryptAll(), lost(/no key/))
    assert.deepEqual(await records(), before)
    await assert.rejects(access(join(home, "local-store.key")))
  })

  it("another user's key: refused too; the right key still opens everything", async () => {
    await createLocalProvider({ projectRoot: join(base, "elsewhere"), environment: "dev", home: join(base, "second") }).upsert("X", new SecretText("y"))
    const before = await records()
    await assert.rejects(createLocalProvider({ projectRoot, environment: "dev", home: join(base, "second") }).upsert("OTHER", new SecretText("x")), lost(/is another one/))
    assert.deepEqual(await records(), before)
    const values = await createLocalProvider({ projectRoot, environment: "dev", home: join(base, "first") }).decryptAll()
    assert.equal(values.get("API_KEY")?.reveal(), "v")
  })

  it("an empty store needs no key check: the first write creates the key", async () => {
    const store = createLocalProvider({ projectRoot, environment: "fresh", home: join(base, "third") })
    await store.checkStoreKey()
    await assert.rejects(access(join(base, "third", "local-store.key")))
    await store.upsert("A", new SecretText("b"))
    await access(join(base, "third", "local-store.key"))
  })
})
