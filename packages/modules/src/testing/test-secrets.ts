/**
 * `testSecrets(values, { now })`: product reads answered from the given values, without
 * miniflare, through the code the Secret Product Worker runs (see product.ts), so a test
 * cannot pass where a deployed Worker would fail. See docs/testing.md.
 */
import { SECRET_PRODUCT_BINDING } from "../worker/protocol.js"
import type { SecretProductRpc } from "../worker/protocol.js"
import type { SecretModule } from "../secret.js"
import { isSecretModule } from "../secret.js"
import { isSecretId } from "../worker/manifest.js"
import { REGISTERED_MODULES } from "../declare/types.js"
import type { SecretDeclaration } from "../declare/types.js"
import { createClock } from "./clock.js"
import type { TestTime } from "./clock.js"
import { describeInput, TestSecretsError } from "./errors.js"
import { createTestProduct, declarationOf, testPhysicalName } from "./product.js"
import type { TestNames } from "./product.js"
import { rotateStored } from "./rotate.js"
import type { TestRotation } from "./rotate.js"
import { runWithEnv } from "./scope.js"
import { readValues } from "./values.js"
import type { TestSecretValues } from "./values.js"

export interface TestSecretsOptions {
  /** The product's clock: expiry and `at()` are judged at this instant. Default: the real clock. */
  now?: TestTime
  /**
   * The environment's sealing private key (a JWK, or its JSON text), needed only to read
   * versions given as `sealed` copies. Without it, reading one fails as in production.
   */
  sealingKey?: JsonWebKey | string
  /**
   * What physical names (and so the sealing context of sealed copies) are derived from.
   * Default `{ workspace: "test", project: "test", environment: "test" }`.
   */
  names?: Partial<TestNames>
  /**
   * The `backend()` app under test. When given, a read of a secret the app does not register
   * with `app.use()` fails with SecretNotFoundError, as the deployed product binds only those.
   */
  app?: object
}

/** The env a Worker would have: `LAYERON_SECRET`, the service binding to the product. */
export interface TestEnv {
  readonly LAYERON_SECRET: SecretProductRpc
}

export interface TestSecrets {
  /** Runs `fn`; every secret read inside it (through any await) is answered from these values. */
  run<T>(fn: () => T | Promise<T>): Promise<T>
  /** For code that takes an env: the product's service binding, answering like the deployed one. */
  readonly env: TestEnv
  /** Moves the product's clock (expiry, `at()`, the createdAt of the next rotation, and the `iat`/`exp`/`nbf` the keys helpers sign and check inside `run()`). */
  setNow(time: TestTime): void
  /** The product's clock now. */
  now(): Date
  /** One rotation under the module's declared policy, at `now`, as `layer secret rotate --apply` writes it. */
  rotate(module: SecretModule): Promise<TestRotation>
  /** The Cloudflare secret name a secret has here: what its sealed copies must be sealed to. */
  physicalName(secret: SecretModule | string): Promise<string>
}

const DEFAULT_NAMES: TestNames = { workspace: "test", project: "test", environment: "test" }

export function testSecrets(values: TestSecretValues, options: TestSecretsOptions = {}): TestSecrets {
  if (typeof options !== "object" || options === null) {
    throw new TestSecretsError("invalid_option", `testSecrets(values, options): options is ${describeInput(options)}; pass an object such as { now: "2026-06-01T00:00:00Z" }.`)
  }
  const clock = createClock(options.now)
  const names = readNames(options.names)
  const store = readValues(values, clock.now())
  const app = readApp(options.app)
  const input = { store, clock, names, sealingKey: readSealingKey(options.sealingKey), registered: app?.registered, caller: app?.backend }
  const envWith = (product: SecretProductRpc) => Object.freeze({ [SECRET_PRODUCT_BINDING]: product }) as unknown as TestEnv
  const env = envWith(createTestProduct(input))
  const envFor = (reader: SecretDeclaration | undefined) => envWith(createTestProduct(input, reader)) as unknown as Record<string, unknown>

  return Object.freeze({
    run: <T>(fn: () => T | Promise<T>) => {
      if (typeof fn !== "function") return Promise.reject(new TestSecretsError("invalid_option", `t.run(fn): fn is ${describeInput(fn)}; pass the code to run, e.g. t.run(() => app.request("/"))`))
      return runWithEnv(envFor, fn, clock.now)
    },
    env,
    setNow: (time: TestTime) => clock.set(time, "t.setNow(time)"),
    now: () => clock.now(),
    rotate: async (module: SecretModule) => rotateStored(module, store, clock.now()),
    physicalName: async (secret: SecretModule | string) => {
      const id = isSecretModule(secret) ? secret.declaration.id : secret
      if (typeof id !== "string" || !isSecretId(id)) {
        throw new TestSecretsError("invalid_name", `t.physicalName(secret): expected a secret module or "namespace/name", got ${describeInput(secret)}.`)
      }
      return testPhysicalName(names, id, isSecretModule(secret) ? secret.declaration : declarationOf(input, id))
    },
  })
}

function readNames(given: Partial<TestNames> | undefined): TestNames {
  if (given === undefined) return DEFAULT_NAMES
  const names = { ...DEFAULT_NAMES, ...given }
  for (const key of ["workspace", "project", "environment"] as const) {
    if (typeof names[key] !== "string" || names[key] === "") {
      throw new TestSecretsError("invalid_option", `testSecrets(): names.${key} is ${describeInput(names[key])}; it must be a non-empty string (the ${key} the physical names are derived from).`)
    }
  }
  return names
}

function readApp(app: object | undefined): { backend: string; registered: Map<string, SecretDeclaration> } | undefined {
  if (app === undefined) return undefined
  const modules: unknown = typeof app === "object" && app !== null ? (app as Record<symbol, unknown>)[REGISTERED_MODULES] : undefined
  if (!Array.isArray(modules)) {
    throw new TestSecretsError("invalid_option", `testSecrets(): app is ${describeInput(app)} without registered modules; pass the app made by backend() from @layeron/core (the one your routes are on).`)
  }
  const name = (app as { layeron?: { options?: { name?: unknown } } }).layeron?.options?.name
  return {
    backend: typeof name === "string" && name !== "" ? name : "(the app given to testSecrets)",
    registered: new Map(modules.filter(isSecretModule).map((module) => [module.declaration.id, module.declaration])),
  }
}

/** Only the shape is checked here; a key that does not open a copy fails at the read, as deployed. */
function readSealingKey(key: JsonWebKey | string | undefined): string | undefined {
  if (key === undefined) return undefined
  let jwk: unknown = key
  if (typeof key === "string") {
    try {
      jwk = JSON.parse(key)
    } catch {
      jwk = undefined
    }
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk) || typeof (jwk as JsonWebKey).d !== "string") {
    throw new TestSecretsError(
      "invalid_option",
      "testSecrets(): sealingKey must be the sealing key pair's private JWK (an object, or its JSON text, with the private part \"d\"), as generateSealingKeyPair() returns in privateKey.",
    )
  }
  return JSON.stringify(jwk)
}
