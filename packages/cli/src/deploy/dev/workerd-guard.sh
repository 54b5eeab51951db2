#!/bin/sh
# Started by `layer dev` in place of workerd (through miniflare's MINIFLARE_WORKERD_PATH): it
# becomes workerd with the kernel's parent-death signal set, so workerd is killed the moment
# `layer dev` ends, however it ends (kill -9 included). LAYERON_WORKERD is the real binary.
exec setpriv --pdeathsig KILL -- "$LAYERON_WORKERD" "$@"
