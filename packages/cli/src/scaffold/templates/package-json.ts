/** package.json: an ES module package with the three Layeron packages and dev/deploy/test scripts. */
import type { Template } from "./types.js"

export const packageJsonTemplate: Template = {
  path: () => "package.json",
  content: ({ name, version }) =>
    `${JSON.stringify(
      {
        name,
        private: true,
        type: "module",
        // npm runs scripts through sh, which expands the glob (Node 20's --test takes no globs).
        scripts: { dev: "layer dev", deploy: "layer deploy", test: "node --import tsx --test test/*.test.ts" },
        dependencies: { "@layeron/core": `^${version}`, "@layeron/modules": `^${version}` },
        devDependencies: { "@layeron/cli": `^${version}` },
      },
      null,
      2,
    )}\n`,
}
