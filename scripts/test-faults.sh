#!/usr/bin/env bash
# npm run test:faults: the fault suite (e2e/faults.test.ts) at its longer setting, on its own:
# install what is missing, make sure PostgreSQL, MariaDB and RabbitMQ run (as npm test does),
# then run the burst with its faults on a stack of its own (FAULT_PROFILE=long unless set;
# every FAULT_* variable of e2e/faults/config.ts overrides a size). The short run is part of
# npm test. Shared servers this script had to start are stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh
bootstrap

export TEST_INFRA_DIR="${TEST_INFRA_DIR:-$PWD/.local/test-infra}"
cleanup() {
  local rc=$?
  STACK_DIR="$TEST_INFRA_DIR" node --import tsx scripts/stack/cli.ts stop >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STACK_DIR="$TEST_INFRA_DIR" node --import tsx scripts/stack/cli.ts infra

export FAULT_PROFILE="${FAULT_PROFILE:-long}"
npx mocha scripts/test/faults-invariants.test.ts e2e/faults.test.ts
