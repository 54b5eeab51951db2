/**
 * The files `layer init` writes, in the order it writes them (package.json is merged, not
 * templated: ../package-json.ts). Adding one: a module in this folder exporting a Template,
 * and a line here.
 */
import { backendTemplate } from "./backend.js"
import { configTemplate } from "./config.js"
import { gitignoreTemplate } from "./gitignore.js"
import { testTemplate } from "./test.js"
import { tsconfigTemplate } from "./tsconfig.js"
import type { Template } from "./types.js"

export const TEMPLATES: readonly Template[] = [configTemplate, backendTemplate, testTemplate, tsconfigTemplate, gitignoreTemplate]

export { LOCAL_ONLY_ENTRIES } from "./gitignore.js"
export type { ScaffoldOptions, Template } from "./types.js"
export { TSCONFIG } from "./tsconfig.js"
