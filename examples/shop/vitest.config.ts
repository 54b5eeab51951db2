import { defineConfig } from "vitest/config"

// The node:test files (test/*.test.ts) run under `npm test`; vitest runs the *.spec.ts ones.
export default defineConfig({
  test: { include: ["test/**/*.spec.ts"], environment: "node" },
})
