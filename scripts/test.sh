#!/usr/bin/env bash
# Quick start, command 2: set up .venv and run the whole test suite on all cores.
# Extra arguments go to pytest. HYPOTHESIS_PROFILE=ci gives the bounded, derandomized run.
source "$(dirname "$0")/_venv.sh"
# One BLAS thread per pytest worker: the workers already use every core, and threaded
# OpenBLAS on small matrices is far slower than one thread when cores are busy.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
set +e
.venv/bin/python -m pytest -n auto -q "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$status"
