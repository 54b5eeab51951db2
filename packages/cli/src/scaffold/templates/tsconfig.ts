/**
 * tsconfig.json: type checking only (the CLI loads and bundles TypeScript itself). Workers have
 * the web platform's globals (Response, fetch, crypto.subtle and its CryptoKey), which the
 * WebWorker lib declares; Node's types serve the tests (node:test, node:assert). src/ and test/
 * are both checked, library declarations too (skipLibCheck false: a broken .d.ts is not silently `any`).
 */
import type { Template } from "./types.js"

export const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    lib: ["ES2022", "WebWorker"],
    types: ["node"],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  },
  include: ["layeron.config.ts", "src", "test"],
}

export const tsconfigTemplate: Template = {
  path: () => "tsconfig.json",
  content: () => `${JSON.stringify(TSCONFIG, null, 2)}\n`,
}
