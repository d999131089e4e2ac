#!/usr/bin/env bash
# Writes the locks from pyproject.toml's ranges: requirements/runtime.txt (what `make run` installs) and
# requirements/dev.txt (runtime plus the test and lint tools, what `make test` and CI install), exact versions with
# the hashes of every file the package index offers for them, for every platform (--universal).
#
#   requirements/lock.sh [DIR] [uv pip compile options...]
#
# DIR (default: the project) holds pyproject.toml and requirements/. The versions already in the locks are kept
# unless pyproject.toml no longer allows them, so running it twice changes nothing; `--upgrade-package NAME`
# moves one package (and what it needs) to its newest allowed version, `--upgrade` all of them.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
uv="${UV:-$here/.venv/bin/uv}"
root="${1:-$here}"
shift || true
cd "$root"
flags=(--quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock")
"$uv" pip compile pyproject.toml "${flags[@]}" "$@" -o requirements/runtime.txt
# dev.txt is resolved within runtime.txt's versions, so a test run uses exactly what production runs.
"$uv" pip compile pyproject.toml --extra dev -c requirements/runtime.txt "${flags[@]}" "$@" -o requirements/dev.txt
