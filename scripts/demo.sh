#!/usr/bin/env bash
# Quick start, command 1: set up .venv and run the demo.
source "$(dirname "$0")/_venv.sh"
exec .venv/bin/python examples/tiny_mlp.py "$@"
