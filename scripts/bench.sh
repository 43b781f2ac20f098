#!/usr/bin/env bash
# npm run bench [-- NAME...]: the load benchmarks, bench/<name>.bench.ts (e.g. `npm run bench -- search`);
# without a name, all of them in turn. Each starts its own isolated stack on random ports and
# writes its report to bench/reports/<name>.md (+ .json). Exits with the first failure.
# After all of them (no names given), docs/benchmarks.md (+ .json) is rendered from every report.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh
bootstrap

available() { for file in bench/*.bench.ts; do basename "$file" .bench.ts; done; }

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then mapfile -t names < <(available); fi
for name in "${names[@]}"; do
  if [[ ! -f "bench/$name.bench.ts" ]]; then
    echo "unknown benchmark: $name (available: $(available | tr '\n' ' '))" >&2
    exit 2
  fi
done
for name in "${names[@]}"; do
  printf '\n==== bench: %s ====\n' "$name"
  node --import tsx "bench/$name.bench.ts"
done
if [[ $# -eq 0 ]]; then
  printf '\n==== bench summary ====\n'
  node --import tsx bench/summary.ts
fi
