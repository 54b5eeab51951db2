/**
 * RPC to a `WorkerEntrypoint` over a service binding (how every app Worker reaches the Secret
 * Product Worker) is on by default from compatibility date 2024-04-03, and before that only
 * with the `rpc` flag (workerd `src/workerd/io/compatibility-date.capnp`, flag `workerdRpc`).
 * An older app would deploy and fail on its first read, so deploy adds the flag and says so;
 * `no_rpc` is a contradiction it refuses.
 */
import { LayerError } from "../errors.js"

export const RPC_DEFAULT_DATE = "2024-04-03"
export const RPC_FLAG = "rpc"

export interface RpcCompatibility {
  flags: string[]
  added: boolean
}

export function withRpc(backendId: string, date: string, flags: readonly string[]): RpcCompatibility {
  if (flags.includes("no_rpc")) {
    throw new LayerError("rpc_disabled", `backend "${backendId}" sets the compatibility flag no_rpc, but it reads secrets over RPC from the Secret Product Worker`, {
      hint: `remove "no_rpc" from compatibilityFlags in its backend({ ... })`,
    })
  }
  if (date >= RPC_DEFAULT_DATE || flags.includes(RPC_FLAG)) return { flags: [...flags], added: false }
  return { flags: [...flags, RPC_FLAG], added: true }
}

export function rpcNote(date: string): string {
  return `compatibility date ${date} predates RPC (default from ${RPC_DEFAULT_DATE}): the "${RPC_FLAG}" flag was added`
}
