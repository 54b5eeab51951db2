/** src/<backend>.ts: a Worker with one random secret that rotates. It never returns the value. */
import type { Template } from "./types.js"

export const backendTemplate: Template = {
  path: ({ backend }) => `src/${backend}.ts`,
  content: ({ backend, compatibilityDate }) => `import { backend } from "@layeron/core"
import { secret } from "@layeron/modules"

const app = backend({ name: ${JSON.stringify(backend)}, compatibilityDate: ${JSON.stringify(compatibilityDate)} })

// Created by \`layer deploy\`, rotated every 30 days by \`layer secret rotate --apply\`;
// the previous version stays readable for 14 days after a rotation.
export const sessionKey = secret.random({
  name: "session-key",
  namespace: "auth",
  rotation: { everyDays: 30, retain: { mode: "retain_for", days: 14 } },
})
app.use(sessionKey)

app.get("/", (c) => c.text("ok"))

// Which versions are readable right now: versions() answers ids and times only, so no key
// leaves the Secret Product Worker to draw this list.
app.get("/session-key/versions", async (c) => c.json(await sessionKey.versions()))

export default app
`,
}
