#!/usr/bin/env bash
# npm stop: stop what `npm start` started (shared servers it only reused keep running).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh
bootstrap_npm
exec node --import tsx scripts/stack/cli.ts stop "$@"
