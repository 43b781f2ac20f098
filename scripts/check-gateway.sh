#!/usr/bin/env bash
# Validates gateway/haproxy.cfg with example addresses (the stack runner, compose and the
# cluster each set their own), and the files it loads from its directory (errors/*.http,
# payload-too-large.lua). Usage: bash scripts/check-gateway.sh [config]
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-gateway/haproxy.cfg}"
if ! command -v haproxy >/dev/null 2>&1; then
  echo "haproxy is not installed (npm start / npm test install it as root)" >&2
  exit 1
fi
export GATEWAY_BIND="${GATEWAY_BIND:-127.0.0.1:8080}"
export GATEWAY_STATS_BIND="${GATEWAY_STATS_BIND:-127.0.0.1:8404}"
export MS_AUTH_ADDR="${MS_AUTH_ADDR:-127.0.0.1:4001}"
export MS_USERS_ADDR="${MS_USERS_ADDR:-127.0.0.1:4002}"
export MS_PRODUCTS_ADDR="${MS_PRODUCTS_ADDR:-127.0.0.1:4003}"
export MS_ORDERS_ADDR="${MS_ORDERS_ADDR:-127.0.0.1:4004}"
export FRONTEND_ADDR="${FRONTEND_ADDR:-127.0.0.1:3000}"
export GATEWAY_TOKEN_RATE="${GATEWAY_TOKEN_RATE:-60}"
haproxy -c -f "$config"
