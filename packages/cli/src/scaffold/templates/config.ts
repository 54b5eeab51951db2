/** layeron.config.ts: the project, its backend and a local `dev` environment. */
import type { Template } from "./types.js"

export const configTemplate: Template = {
  path: () => "layeron.config.ts",
  content: ({ workspace, name, backend }) => `import { project } from "@layeron/core"

export default project({
  // workspace and name are part of every secret's physical name: choose them before the first deploy.
  workspace: ${JSON.stringify(workspace)},
  name: ${JSON.stringify(name)},
  backends: { ${backend}: "./src/${backend}.ts" },
  defaultEnvironment: "dev",
  environments: {
    // Local: values encrypted under .layeron/local/dev/, one per developer (never committed).
    dev: { provider: "local" },
    // Shared, on Cloudflare: \`layer login\`, then \`layer deploy --env production\`.
    // production: { provider: "cloudflare", accountId: "<your 32-hex-digit account id>" },
  },
})
`,
}
