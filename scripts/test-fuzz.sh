#!/usr/bin/env bash
# npm run test:fuzz: the long fuzz run (e2e/fuzz.test.ts) on its own: install what is missing,
# make sure PostgreSQL, MariaDB and RabbitMQ run (as npm test does), then send FUZZ_RUNS requests
# (10,000 unless set) with a random seed, printed so that FUZZ_SEED=<seed> replays the run.
# Shared servers this script had to start are stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/bootstrap.sh
. scripts/lib/bootstrap.sh
# shellcheck source=scripts/lib/test-infra.sh
. scripts/lib/test-infra.sh
bootstrap

start_test_infra

export FUZZ_RUNS="${FUZZ_RUNS:-10000}"
export FUZZ_SEED="${FUZZ_SEED:-random}"
npx mocha e2e/fuzz.test.ts
