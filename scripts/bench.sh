#!/usr/bin/env bash
# npm run bench: load benchmarks (bench/). None exist yet.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "No benchmarks exist yet (bench/ is empty)."
exit 0
