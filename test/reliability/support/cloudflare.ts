/** Kept for the reliability files' imports: emulator projects live in test/helpers/emulator-project.ts. */
export * from "../../helpers/emulator-project.js"
