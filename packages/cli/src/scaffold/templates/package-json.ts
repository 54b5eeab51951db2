/** package.json: an ES module package with the three Layeron packages and dev/deploy scripts. */
import type { Template } from "./types.js"

export const packageJsonTemplate: Template = {
  path: () => "package.json",
  content: ({ name, version }) =>
    `${JSON.stringify(
      {
        name,
        private: true,
        type: "module",
        scripts: { dev: "layer dev", deploy: "layer deploy" },
        dependencies: { "@layeron/core": `^${version}`, "@layeron/modules": `^${version}` },
        devDependencies: { "@layeron/cli": `^${version}` },
      },
      null,
      2,
    )}\n`,
}
