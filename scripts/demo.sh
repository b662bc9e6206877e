#!/usr/bin/env bash
# Quick start, command 1: set up .venv and run the deep-XOR experiment (sigmoid vs ReLU through
# 9 hidden layers). Prints a summary table and writes runs/deep_xor-<time>/report.html.
# Extra arguments go to examples/deep_xor.py (--smoke, --seed N, --out DIR).
source "$(dirname "$0")/_venv.sh"
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
exec .venv/bin/python examples/deep_xor.py "$@"
