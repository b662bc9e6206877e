# Functions for _venv.sh (sourced; defines functions only, runs nothing). tests/test_install.py
# calls them with stand-in interpreters.

# venv_works DIR: does DIR hold a virtual environment whose python runs and has pip?
venv_works() {
    [ -x "$1/bin/python" ] && "$1/bin/python" -m pip --version >/dev/null 2>&1
}

# ensure_venv DIR PYTHON: make DIR a working virtual environment made by PYTHON. A half-made
# one (a `python3 -m venv` on a system without python3-venv/ensurepip leaves a folder with no
# pip in it, and a removed or upgraded system Python leaves a dangling bin/python) is removed
# and made again; `python -m virtualenv` is the fallback where `venv` cannot. On failure:
# remove what was half-made, say what to install, return 1.
ensure_venv() {
    local dir=$1 py=$2 log version
    venv_works "$dir" && return 0
    if [ -e "$dir" ] || [ -L "$dir" ]; then
        if [ ! -f "$dir/pyvenv.cfg" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            echo "error: $dir exists but is not a virtual environment (no pyvenv.cfg)." \
                 "Move it away and run this again." >&2
            return 1
        fi
        echo "note: $dir is not a working virtual environment (no runnable bin/python with" \
             "pip in it; left by an earlier failed setup?): making it again." >&2
        rm -rf "$dir"
    fi
    if ! version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
        echo "error: cannot run the Python interpreter '$py'. Install Python >= 3.10" \
             "(Debian/Ubuntu: apt-get install python3 python3-venv) or set PYTHON=/path/to/python3." >&2
        return 1
    fi
    log=$(mktemp)
    if "$py" -m venv "$dir" >"$log" 2>&1 && venv_works "$dir"; then
        rm -f "$log"; return 0
    fi
    rm -rf "$dir"
    if "$py" -m virtualenv --version >/dev/null 2>&1; then
        if "$py" -m virtualenv -q "$dir" >>"$log" 2>&1 && venv_works "$dir"; then
            rm -f "$log"; return 0
        fi
        rm -rf "$dir"
    fi
    {
        echo "error: could not make a working virtual environment in $dir with $py (Python $version)."
        sed -n '1,12s/^/  | /p' "$log"
        echo "Python's venv module or its ensurepip (which puts pip into a new venv) is missing."
        echo "Install one of these, then run this command again:"
        echo "  Debian/Ubuntu:  apt-get install python3-venv      (or python$version-venv; sudo if not root)"
        echo "  or virtualenv, used when venv cannot:  apt-get install python3-virtualenv,"
        echo "                  or $py -m pip install --user virtualenv"
        echo "Or point PYTHON at another interpreter: PYTHON=/path/to/python3 bash $0"
    } >&2
    rm -f "$log"
    return 1
}
