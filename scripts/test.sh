#!/usr/bin/env bash
# Quick start, command 2: set up .venv and run the whole test suite on all cores.
# Extra arguments go to pytest. HYPOTHESIS_PROFILE=ci gives the bounded, derandomized run.
source "$(dirname "$0")/_venv.sh"
set +e
.venv/bin/python -m pytest -n auto -q "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here" >&2
    exit 1
fi
exit "$status"
