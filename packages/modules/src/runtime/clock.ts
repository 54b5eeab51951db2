/**
 * The instant code running beside a read judges time at. In a Worker it is the real clock;
 * inside `testSecrets().run()` it is the test's clock (its `now`/`setNow`), so what the
 * product judges (expiry, `at()`) and what the app judges (a token's `exp`, `nbf`, `iat`)
 * move together. The test seam sets the resolver; unset in production.
 */
export type ClockResolver = () => Date | undefined

let clockResolver: ClockResolver | undefined

export function setClockResolver(resolver: ClockResolver | undefined): void {
  clockResolver = resolver
}

/** The current instant: the test's clock inside `t.run()`, else `Date.now()`. */
export function runtimeNow(): Date {
  return clockResolver?.() ?? new Date()
}
