#!/usr/bin/env bash
# npm start: install what is missing, then start (or reuse) the whole local stack.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh
bootstrap
exec node --import tsx scripts/stack/cli.ts start "$@"
