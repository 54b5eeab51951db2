/**
 * The vitest setup works: `npm test` (node:test) runs the example's vitest suite in a child
 * process and checks its JSON report, so a vitest upgrade that breaks testSecrets() fails here.
 */
import assert from "node:assert/strict"
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createRequire } from "node:module"
import { it } from "node:test"

const shop = new URL("..", import.meta.url).pathname
const vitest = join(createRequire(import.meta.url).resolve("vitest/package.json"), "..", "vitest.mjs")

it("the shop's vitest suite passes under vitest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "shop-vitest-"))
  try {
    const report = join(dir, "report.json")
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [vitest, "run", "--reporter=json", `--outputFile=${report}`], { cwd: shop, stdio: ["ignore", "ignore", "inherit"] })
      child.on("exit", resolve)
    })
    const result = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numTotalTests: number }
    assert.equal(result.numFailedTests, 0)
    assert.ok(result.numPassedTests >= 3, `expected the spec's tests to run, got ${result.numPassedTests} of ${result.numTotalTests}`)
    assert.equal(code, 0)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
