export { project } from "./project.js"
export type { ProjectConfig, EnvironmentConfig } from "./project.js"
export { backend } from "./backend.js"
export type { BackendOptions, LayeronApp } from "./backend.js"
