#!/usr/bin/env bash
# npm test: install what is missing, make sure PostgreSQL, MariaDB and RabbitMQ run, then
# lint, typecheck and run every mocha suite (options in .mocharc.cjs). Exits with the first failure.
# Shared servers this script had to start are stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

phase() { printf '\n==== %s ====\n' "$*"; }

# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh

phase "bootstrap: npm dependencies and system packages"
bootstrap

# What `infra` starts is recorded here, and stopped when the tests end.
export TEST_INFRA_DIR="${TEST_INFRA_DIR:-$PWD/.local/test-infra}"
cleanup() {
  local rc=$?
  STACK_DIR="$TEST_INFRA_DIR" node --import tsx scripts/stack/cli.ts stop >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

phase "infrastructure: PostgreSQL, MariaDB, RabbitMQ"
STACK_DIR="$TEST_INFRA_DIR" node --import tsx scripts/stack/cli.ts infra

phase "lint"
npm run lint

phase "typecheck"
npm run typecheck

phase "tests (mocha)"
npx mocha 'platform/test/**/*.test.ts' 'ms-*/test/**/*.test.ts' 'frontend/test/**/*.test.ts' 'scripts/test/**/*.test.ts' 'e2e/**/*.test.ts'
