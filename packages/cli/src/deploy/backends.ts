/**
 * The Workers a project deploys: one app Worker per backend of the config (in config order),
 * each with the compatibility date its `backend({ ... })` declares, plus the Secret Product
 * Worker. Both `layer deploy` and `layer dev` start from here.
 */
import { relative } from "node:path"
import type { LoadedProject } from "../config/index.js"
import { LayerError } from "../errors.js"
import type { EnvironmentConfig } from "../config/types.js"
import { withRpc } from "./compat.js"
import { appWorkerName, checkDistinctWorkerNames, productWorkerName } from "./names.js"
import type { BackendTarget } from "./types.js"

export interface ProjectWorkers {
  productWorkerName: string
  backends: BackendTarget[]
}

/** `layer deploy --product-only`: the Secret Product Worker alone; the backends deploy themselves. */
export function productOnlyWorkers(project: LoadedProject): ProjectWorkers {
  return { productWorkerName: productWorkerName(project.config.name, project.environment.name), backends: [] }
}

export function projectWorkers(project: LoadedProject): ProjectWorkers {
  const environment = project.environment.name
  const product = productWorkerName(project.config.name, environment)
  const backends = project.backends.map((backend): BackendTarget => {
    if (!backend.app) {
      const shown = relative(project.root, backend.file) || backend.file
      throw new LayerError("backend_not_an_app", `backend "${backend.id}" (${shown}) does not export a backend() app, so layer does not know its compatibility date`, {
        hint: 'end the entry with `export default app`, where app = backend({ name, compatibilityDate: "2026-05-24" }) from @layeron/core; or, if wrangler deploys this Worker, `layer deploy --product-only` deploys the secrets and the Secret Product Worker and prints the service binding for its wrangler config',
      })
    }
    const rpc = withRpc(backend.id, backend.app.compatibilityDate, backend.app.compatibilityFlags)
    return {
      id: backend.id,
      file: backend.file,
      workerName: appWorkerName(project.config.name, backend.id, environment),
      compatibilityDate: backend.app.compatibilityDate,
      compatibilityFlags: rpc.flags,
      ...(rpc.added ? { rpcFlagAdded: true as const } : {}),
      workersDev: workersDevFor(project.environment.config, backend.id),
    }
  })
  checkDistinctWorkerNames(product, backends)
  return { productWorkerName: product, backends }
}

/** The environment's `workersDev` for one backend: on unless the config turns it off. */
function workersDevFor(config: EnvironmentConfig, backendId: string): boolean {
  if (config.provider !== "cloudflare" || config.workersDev === undefined) return config.provider === "cloudflare"
  if (typeof config.workersDev === "boolean") return config.workersDev
  return config.workersDev[backendId] ?? true
}
