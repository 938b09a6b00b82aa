#!/usr/bin/env bash
# Distributed training with torchrun (tools/dist_launch.sh).
#   bash tools/dist_train.sh CONFIG NUM_PROCESSES [train.py args...]
# One process per GPU; without GPUs the processes train on the CPU with gloo.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in mmsegmentation; PYTHON picks
# the interpreter (default: python).
set -euo pipefail
USAGE="usage: dist_train.sh CONFIG NUM_PROCESSES [args...]"
CONFIG=${1:?$USAGE}
GPUS=${2:?$USAGE}
exec bash "$(dirname "$0")/dist_launch.sh" train.py "$GPUS" "$CONFIG" "${@:3}"
