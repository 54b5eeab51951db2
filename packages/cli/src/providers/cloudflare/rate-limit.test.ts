/**
 * The client-side pacer: the sliding window on a fake clock, the setting's parsing, and the
 * real client against the emulator configured with Cloudflare's block at small numbers:
 * paced, a burst bigger than the limit goes through without one 429; unpaced, it is blocked.
 */
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { startCloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import type { CloudflareFixture } from "../../../../../test/helpers/cloudflare.js"
import { isLayerError } from "../../errors.js"
import { CloudflareApi } from "./api.js"
import { CLOUDFLARE_GLOBAL_LIMIT, DEFAULT_RATE_LIMIT, RequestPacer, rateLimitFromEnv } from "./rate-limit.js"
import { listStores } from "./secrets.js"

describe("RequestPacer", () => {
  test("counts a request from its send until a window after its answer, and says how long to wait", async () => {
    let now = 1_000
    const pacer = new RequestPacer({ requests: 3, windowMs: 100 }, () => now)
    const first = await pacer.acquire()
    const second = await pacer.acquire()
    const third = await pacer.acquire()
    assert.equal(pacer.delayMs(), 25, "all three in flight: look again shortly")
    now = 1_010
    first()
    now = 1_050
    second()
    third()
    assert.equal(pacer.delayMs(), 60, "the 4th waits until the first answer (at 1010) is 100 ms old")
    now = 1_109
    assert.equal(pacer.delayMs(), 1)
    now = 1_110
    assert.equal(pacer.delayMs(), 0, "exactly one window after the first answer a slot is free")
    const fourth = await pacer.acquire()
    assert.equal(pacer.delayMs(), 40, "then the next waits for the answers at 1050")
    fourth()
    fourth()
    now = 1_150
    assert.equal(pacer.delayMs(), 0, "a release counts once")
  })

  test("concurrent callers never overbook: the window holds at most `requests` sends", async () => {
    const sends: number[] = []
    const pacer = new RequestPacer({ requests: 4, windowMs: 40 })
    await Promise.all(Array.from({ length: 10 }, () => pacer.acquire().then((answered) => (sends.push(Date.now()), answered()))))
    assert.equal(sends.length, 10)
    for (const at of sends) {
      const inWindow = sends.filter((other) => other > at - 40 && other <= at).length
      assert.ok(inWindow <= 4, `${inWindow} sends within 40 ms`)
    }
  })

  test("the default stays under Cloudflare's 1,200 per 5 minutes, with headroom for other tools", () => {
    assert.deepEqual(rateLimitFromEnv({}), DEFAULT_RATE_LIMIT)
    assert.equal(DEFAULT_RATE_LIMIT.windowMs, CLOUDFLARE_GLOBAL_LIMIT.windowMs)
    assert.ok(DEFAULT_RATE_LIMIT.requests < CLOUDFLARE_GLOBAL_LIMIT.requests)
  })

  test("LAYERON_API_RATE_LIMIT is <requests>/<seconds>; anything else is refused with the form to use", () => {
    assert.deepEqual(rateLimitFromEnv({ LAYERON_API_RATE_LIMIT: "600/300" }), { requests: 600, windowMs: 300_000 })
    for (const bad of ["600", "0/300", "600/0", "-1/300", "600/300s", "lots"]) {
      assert.throws(() => rateLimitFromEnv({ LAYERON_API_RATE_LIMIT: bad }), /LAYERON_API_RATE_LIMIT must be <requests>\/<seconds>.*such as 1000\/300/, bad)
    }
  })
})

describe("the client paces itself under the emulator's global limit", () => {
  let fx: CloudflareFixture
  before(async () => {
    // Cloudflare's rule at small numbers: more than 6 requests in 1 s blocks the token for 30 s.
    fx = await startCloudflareFixture({ withDefaultStore: true, emulator: { rateLimit: { requests: 6, windowMs: 1_000, blockMs: 30_000 } } })
  })
  after(() => fx.close())

  const client = (env: NodeJS.ProcessEnv) =>
    new CloudflareApi({ apiToken: fx.token, baseUrl: fx.emulator.url, env, debug: (line) => fx.debugLines.push(line), maxRetryWaitMs: 200, backoffBaseMs: 10 })

  test("paced at 5 per second, 12 requests go through without a single 429", async () => {
    fx.emulator.resetRequestLog()
    const api = client({ LAYERON_API_RATE_LIMIT: "5/1" })
    await Promise.all(Array.from({ length: 12 }, () => listStores(api, fx.accountId)))
    assert.deepEqual(new Set(fx.emulator.requests.map((request) => request.status)), new Set([200]))
    assert.ok(fx.debugLines.some((line) => /pacing under the API rate limit \(5 per 1\.0 s\); waiting/.test(line)))
  })

  test("unpaced (the limit set above the emulator's), the same burst is blocked", async () => {
    fx.emulator.advanceClock(60_000)
    fx.emulator.resetRequestLog()
    const api = client({ LAYERON_API_RATE_LIMIT: "100/1" })
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => listStores(api, fx.accountId)))
    assert.ok(results.some((result) => result.status === "rejected" && isLayerError(result.reason)), "some request was refused")
    assert.ok(fx.emulator.requests.some((request) => request.faults.includes("global_rate_limit")))
  })
})
