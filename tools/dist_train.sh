#!/usr/bin/env bash
# Distributed training with torchrun.
#   bash tools/dist_train.sh CONFIG NUM_PROCESSES [train.py args...]
# One process per GPU; without GPUs the processes train on the CPU with gloo.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in mmsegmentation; PYTHON picks
# the interpreter (default: python).
set -euo pipefail
CONFIG=${1:?usage: dist_train.sh CONFIG NUM_PROCESSES [args...]}
GPUS=${2:?usage: dist_train.sh CONFIG NUM_PROCESSES [args...]}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$ROOT/tools/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
