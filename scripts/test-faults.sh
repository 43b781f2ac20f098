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
# shellcheck source=scripts/lib/test-infra.sh
. scripts/lib/test-infra.sh
bootstrap

start_test_infra

export FAULT_PROFILE="${FAULT_PROFILE:-long}"
npx mocha scripts/test/faults-invariants.test.ts e2e/faults.test.ts
