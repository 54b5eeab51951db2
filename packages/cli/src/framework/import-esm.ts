/**
 * `import()` of a package that only works as an ES module (tsx's API: its CommonJS build
 * looks for its loader in the wrong folder). The CLI's bundle is CommonJS run through node:vm
 * (scripts/bundle.mjs, bin/layer.cjs), where import() needs an experimental flag, so the
 * launcher hands the bundle its own import() as `__layeronImport`. From src/ or dist/ (tests,
 * the package's exports) there is none, and this is a plain import().
 */
declare const __layeronImport: ((specifier: string) => Promise<unknown>) | undefined

export async function importEsm<Module>(specifier: string): Promise<Module> {
  return (await (typeof __layeronImport === "function" ? __layeronImport(specifier) : import(specifier))) as Module
}
