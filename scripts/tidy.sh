#!/usr/bin/env bash
# Runs clang-tidy (configuration: .clang-tidy) over the library and the tools
# with the compile commands of the `build` directory. Fails on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build}"
if ! command -v clang-tidy >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang-tidy >/dev/null
fi
[ -f "$dir/compile_commands.json" ] || { echo "no $dir/compile_commands.json: build first" >&2; exit 2; }
files=$(git ls-files 'lib/*.cpp' 'apps/*.cpp')
# run-clang-tidy parallelises; fall back to a plain loop.
if command -v run-clang-tidy >/dev/null; then
  run-clang-tidy -quiet -p "$dir" -j 2 $files
else
  rc=0
  for f in $files; do clang-tidy -quiet -p "$dir" "$f" || rc=1; done
  exit $rc
fi
