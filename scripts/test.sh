#!/usr/bin/env bash
# npm test: install what is missing, make sure PostgreSQL, MariaDB and RabbitMQ run, then
# lint, typecheck and run every mocha suite (options in .mocharc.cjs). Exits with the first failure.
# Shared servers this script had to start are stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

phase() { printf '\n==== %s ====\n' "$*"; }

# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh
# shellcheck source=scripts/lib/test-infra.sh
. scripts/lib/test-infra.sh

phase "bootstrap: npm dependencies and system packages"
bootstrap

phase "infrastructure: PostgreSQL, MariaDB, RabbitMQ"
start_test_infra

phase "lint"
npm run lint

phase "typecheck"
npm run typecheck

phase "tests (mocha)"
npx mocha 'platform/test/**/*.test.ts' 'ms-*/test/**/*.test.ts' 'frontend/test/**/*.test.ts' 'scripts/test/**/*.test.ts' 'e2e/**/*.test.ts'
