#!/usr/bin/env bash
# Bootstrap shared by `npm start` and `npm test`: plain bash, because node_modules
# may not exist yet. Installs npm dependencies when needed and, when running as
# root, the Debian packages the local stack needs.
# Source it (`. scripts/lib/bootstrap.sh`) from the repo root, then call `bootstrap`.

bootstrap_log() { printf '[bootstrap] %s\n' "$*" >&2; }

bootstrap_npm() {
  if [[ ! -d node_modules ]] || [[ ! -f node_modules/.package-lock.json ]] ||
    [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    bootstrap_log "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Prints the Debian packages whose commands are missing, one per line.
bootstrap_missing_debs() {
  command -v haproxy >/dev/null 2>&1 || echo haproxy
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || echo prometheus
  command -v prometheus-alertmanager >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1 || echo prometheus-alertmanager
  [[ -x /usr/sbin/mariadbd ]] || echo mariadb-server
  [[ -n "$(ls -A /etc/postgresql 2>/dev/null)" ]] || echo postgresql
  command -v rabbitmq-server >/dev/null 2>&1 || [[ -x /usr/sbin/rabbitmq-server ]] || echo rabbitmq-server
  command -v java >/dev/null 2>&1 || echo openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || echo maven
  # The browser tests drive Debian's Chromium (playwright-core does not download one).
  [[ -x /usr/bin/chromium ]] || echo chromium
  return 0
}

bootstrap_debs() {
  local missing
  missing="$(bootstrap_missing_debs | tr '\n' ' ')"
  missing="${missing% }"
  [[ -z "$missing" ]] && return 0
  if [[ "$(id -u)" != "0" ]]; then
    bootstrap_log "missing system packages: $missing (run as root, or install them with apt-get)"
    return 0
  fi
  bootstrap_log "installing Debian packages: $missing"
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e "$policy" ]]; then
    # Keep postinst scripts from starting services (no systemd here); the stack runner starts them.
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  local rc=0
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } || rc=$?
  if [[ "$created_policy" == "1" ]]; then rm -f "$policy"; fi
  if [[ "$rc" != "0" ]]; then
    bootstrap_log "apt-get failed (exit $rc)"
    return "$rc"
  fi
}

bootstrap() {
  bootstrap_debs
  bootstrap_npm
}
