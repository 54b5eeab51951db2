/** tsconfig.json: type checking only (the CLI loads and bundles TypeScript itself). */
import type { Template } from "./types.js"

export const tsconfigTemplate: Template = {
  path: () => "tsconfig.json",
  content: () =>
    `${JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          moduleResolution: "Bundler",
          lib: ["ES2022"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ["layeron.config.ts", "src"],
      },
      null,
      2,
    )}\n`,
}
