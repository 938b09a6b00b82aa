#!/usr/bin/env bash
# Distributed DAVIS evaluation with torchrun (tools/dist_launch.sh): every video is
# segmented by exactly one process (DefaultSampler round_up=False) and the metric gathers
# the results.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [test.py args...]
# One process per GPU; without GPUs the processes run on the CPU with gloo.
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as in mmsegmentation; PYTHON picks
# the interpreter (default: python).
set -euo pipefail
USAGE="usage: dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [args...]"
CONFIG=${1:?$USAGE}
CHECKPOINT=${2:?$USAGE}
GPUS=${3:?$USAGE}
exec bash "$(dirname "$0")/dist_launch.sh" test.py "$GPUS" "$CONFIG" "$CHECKPOINT" "${@:4}"
