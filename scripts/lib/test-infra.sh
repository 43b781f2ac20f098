# Sourced by the test commands (npm test, test:fuzz, test:faults): makes sure PostgreSQL, MariaDB
# and RabbitMQ run, recording what had to be started in $TEST_INFRA_DIR, and stops exactly that
# again when the calling script exits (also on Ctrl-C or TERM).

start_test_infra() {
  export TEST_INFRA_DIR="${TEST_INFRA_DIR:-$PWD/.local/test-infra}"
  trap stop_test_infra EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  STACK_DIR="$TEST_INFRA_DIR" node --import tsx scripts/stack/cli.ts infra
}

stop_test_infra() {
  local rc=$?
  STACK_DIR="$TEST_INFRA_DIR" node --import tsx scripts/stack/cli.ts stop >/dev/null 2>&1 || true
  exit "$rc"
}
