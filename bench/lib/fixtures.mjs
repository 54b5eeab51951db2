/** The projects the benchmarks run against, as file maps for createBenchProject(). */

/** A small project like the e2e tests' default: one secret of each kind, one adopted name. */
export const SMALL_PROJECT = {
  config: `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "shop",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "dev",
  environments: { dev: { provider: "local" } },
})
`,
  files: {
    "src/api.ts": `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
export const sessionKey = secret.random({ name: "session-key", namespace: "auth", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } })
export const signingKey = secret.generated({ name: "signing-key", namespace: "auth", bytes: 16 })
export const stripe = secret.static({ name: "stripe", namespace: "payments", secretName: "STRIPE_SECRET" })
export const webhookKey = secret.static({ name: "webhook-key" })
app.use(sessionKey)
app.use(signingKey)
app.use(stripe)
app.use(webhookKey)
app.get("/", (c) => c.text("ok"))
export default app
`,
  },
}

/**
 * A project with `count` rotating secrets in a Cloudflare environment (the account's quota is
 * 100 secrets, so 99 of ours plus the sealing key fill it exactly when count is 99).
 * @param {{ count: number, accountId: string, kind?: "generated" | "random" }} spec
 */
export function scaleProject({ count, accountId, kind = "generated", packing = false }) {
  const lines = []
  for (let i = 0; i < count; i++) {
    const name = `key-${String(i).padStart(3, "0")}`
    lines.push(`app.use(secret.${kind}({ name: "${name}", namespace: "bench", rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } } }))`)
  }
  return {
    config: `import { project } from "@layeron/core"
export default project({
  workspace: "acme",
  name: "scale",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "production",
  environments: { production: { provider: "cloudflare", accountId: "${accountId}"${packing ? ", packing: true" : ""} } },
})
`,
    files: {
      "src/api.ts": `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: "api", compatibilityDate: "2026-05-24" })
${lines.join("\n")}
app.get("/", (c) => c.text("ok"))
export default app
`,
    },
  }
}
