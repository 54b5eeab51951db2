import { project } from "@layeron/core"

export default project({
  workspace: "acme",
  name: "shop",
  backends: { api: "./src/api.ts" },
  defaultEnvironment: "dev",
  environments: {
    // The embedded default: a local, encrypted Secrets Store; no Cloudflare account needed.
    dev: { provider: "local" },
    // Your Cloudflare account (set accountId, or CLOUDFLARE_ACCOUNT_ID, and run `layer login`).
    production: { provider: "cloudflare" },
  },
})
