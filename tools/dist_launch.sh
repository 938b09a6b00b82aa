#!/usr/bin/env bash
# What dist_train.sh and dist_test.sh share: run tools/SCRIPT in NUM_PROCESSES processes
# with torchrun, appending --launcher pytorch to the given arguments.
#   bash tools/dist_launch.sh SCRIPT NUM_PROCESSES [SCRIPT args...]
# One process per GPU; without GPUs the processes run on the CPU with gloo.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in mmsegmentation; PYTHON picks
# the interpreter (default: python).
set -euo pipefail
USAGE="usage: dist_launch.sh SCRIPT NUM_PROCESSES [args...]"
SCRIPT=${1:?$USAGE}
GPUS=${2:?$USAGE}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" \
    --node_rank="${NODE_RANK:-0}" \
    --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$GPUS" \
    --master_port="${PORT:-29500}" \
    "$ROOT/tools/$SCRIPT" \
    "${@:3}" --launcher pytorch
