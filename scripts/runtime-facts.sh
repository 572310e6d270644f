#!/usr/bin/env bash
# Regenerates the engine's runtime facts (server/AllocationLens.Analysis/RuntimeFacts/net*.facts) from the
# runtimes themselves: instance sizes of framework types, which framework members keep an object local
# once inlined, which calls return new objects. A new runtime is a regeneration: add its version here and
# to scripts/runtimes.sh, run this, review the diff, commit. Usage: scripts/runtime-facts.sh [VERSION ...]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
"$repo/scripts/runtimes.sh" >/dev/null
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(8.0.34 9.0.23 10.0.12 11.0.0)
dotnet build "$repo/tools/AllocationLens.RuntimeFacts" -c Release --nologo -v q >&2
args=()
for v in "${versions[@]}"; do args+=(--runtime "$v"); done
dotnet "$repo/tools/AllocationLens.RuntimeFacts/bin/Release/net10.0/allocation-lens-runtime-facts.dll" \
  --out "$repo/server/AllocationLens.Analysis/RuntimeFacts" "${args[@]}"
