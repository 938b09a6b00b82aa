#!/usr/bin/env bash
# Distributed DAVIS evaluation with torchrun: every video is segmented by exactly one
# process (DefaultSampler round_up=False) and the metric gathers the results.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py args...]
# One process per GPU; without GPUs the processes run on the CPU with gloo.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in mmsegmentation.
set -euo pipefail
USAGE="usage: dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [args...]"
CONFIG=${1:?$USAGE}
CHECKPOINT=${2:?$USAGE}
GPUS=${3:?$USAGE}
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} \
python -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$ROOT/tools/test.py" \
    "$CONFIG" \
    "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
