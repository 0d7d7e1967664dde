#!/usr/bin/env bash
# Stops the RabbitMQ and PostgreSQL started by start.sh (data is kept; delete .local/ to start afresh).
# Usage: stop.sh [all|postgres|rabbitmq]
set -uo pipefail
what="${1:-all}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${PLATFORM_LOCAL_DIR:-$root/.local}"
log() { printf '[local] %s\n' "$*" >&2; }

home="$state/rabbitmq"
if [ "$what" != postgres ] && [ -f "$home/rabbit.pid" ]; then
  export HOME="$home" RABBITMQ_NODENAME="platform@localhost" ERL_EPMD_ADDRESS=127.0.0.1
  /usr/lib/rabbitmq/bin/rabbitmqctl -q stop "$home/rabbit.pid" >/dev/null 2>&1 && log "RabbitMQ stopped"
  rm -f "$home/rabbit.pid"
fi
if [ "$what" != postgres ]; then
  # epmd outlives the broker; it would keep the old cookie's node registered.
  pkill -x epmd >/dev/null 2>&1 || true
fi

if [ "$what" != rabbitmq ] && [ -f "$state/postgres.path" ]; then
  data="$(cat "$state/postgres.path")"
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  if [ -f "$data/db/postmaster.pid" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$data/db' -m fast -w stop" >/dev/null && log "PostgreSQL stopped"
    else
      "$bin/pg_ctl" -D "$data/db" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
    fi
  fi
fi
