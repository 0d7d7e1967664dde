#!/usr/bin/env bash
# Installs (when missing) and starts RabbitMQ and PostgreSQL on 127.0.0.1 for local runs and tests,
# without systemd or Docker. Data lives under .local/ at the repository root (ignored by git).
# Running it twice is harmless: a broker or database already answering is left alone.
# Ports can be changed with PLATFORM_PG_PORT / PLATFORM_RABBIT_PORT / PLATFORM_RABBIT_MGMT_PORT.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="${PLATFORM_LOCAL_DIR:-$root/.local}"
pg_port="${PLATFORM_PG_PORT:-55432}"
rabbit_port="${PLATFORM_RABBIT_PORT:-55672}"
rabbit_mgmt_port="${PLATFORM_RABBIT_MGMT_PORT:-55673}"
rabbit_dist_port="${PLATFORM_RABBIT_DIST_PORT:-55674}"
mkdir -p "$state"
# Test projects may call this at the same moment: one at a time. Daemons are started with fd 9 closed so
# that they do not keep holding the lock.
exec 9>"$state/.start.lock"
flock 9

log() { printf '[local] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local need=()
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} from Debian packages"
    # policy-rc.d on these images keeps apt from starting system-wide instances: we start our own below.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

start_postgres() {
  local bin data run
  bin="$(pg_bin)"
  # initdb/postgres refuse to run as root: the cluster belongs to the postgres user, so its folder must be
  # reachable by that user (a folder under /root is not), hence /var/tmp when the repository lives there.
  data="$state/postgres"
  if [ "$(id -u)" -eq 0 ] && ! su postgres -s /bin/sh -c "test -x '$state'" 2>/dev/null; then
    data="/var/tmp/rakuten-platform-$(echo "$root" | md5sum | cut -c1-8)/postgres"
  fi
  run="$data/run"
  mkdir -p "$data" "$run"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$data"; fi
  pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

  if pg "'$bin/pg_isready' -h 127.0.0.1 -p $pg_port -q"; then
    log "PostgreSQL already answering on 127.0.0.1:$pg_port"
  else
    if [ ! -f "$data/db/PG_VERSION" ]; then
      pg "'$bin/initdb' -D '$data/db' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$data/initdb.log' 2>&1"
      cat >>"$data/db/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$run'
max_connections = 300
fsync = on
synchronous_commit = on
shared_buffers = 256MB
CONF
    fi
    rm -f "$data/db/postmaster.pid.stale"
    pg "setsid nohup '$bin/postgres' -D '$data/db' </dev/null >'$data/postgres.log' 2>&1 9>&- &"
    for _ in $(seq 1 60); do
      pg "'$bin/pg_isready' -h 127.0.0.1 -p $pg_port -q" && break
      sleep 0.5
    done
    pg "'$bin/pg_isready' -h 127.0.0.1 -p $pg_port -q" || { log "PostgreSQL did not start; see $data/postgres.log"; tail -n 20 "$data/postgres.log" >&2; exit 1; }
    log "PostgreSQL started on 127.0.0.1:$pg_port (data $data/db)"
  fi
  echo "$data" >"$state/postgres.path"
}

start_rabbitmq() {
  local home="$state/rabbitmq"
  mkdir -p "$home/mnesia" "$home/log"
  # RabbitMQ needs a HOME holding a 0400 cookie and a node name that resolves; Debian's rabbitmqctl wrapper
  # switches user and cookie, so the scripts under /usr/lib/rabbitmq/bin are called with this environment.
  [ -f "$home/.erlang.cookie" ] || { head -c 20 /dev/urandom | md5sum | cut -c1-20 >"$home/.erlang.cookie"; }
  chmod 0400 "$home/.erlang.cookie"
  cat >"$home/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$rabbit_port
management.tcp.port = $rabbit_mgmt_port
management.tcp.ip = 127.0.0.1
loopback_users = none
CONF
  echo "[rabbitmq_management]." >"$home/enabled_plugins"
  export HOME="$home" RABBITMQ_HOME=/usr/lib/rabbitmq RABBITMQ_NODENAME="platform@localhost" \
    RABBITMQ_CONFIG_FILE="$home/rabbitmq" RABBITMQ_MNESIA_BASE="$home/mnesia" RABBITMQ_LOG_BASE="$home/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$home/enabled_plugins" RABBITMQ_PID_FILE="$home/rabbit.pid" \
    RABBITMQ_DIST_PORT="$rabbit_dist_port" ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_CRASH_DUMP="$home/log/erl_crash.dump"
  # Without ERL_CRASH_DUMP a failed start writes erl_crash.dump into the caller's directory (the repository).
  local ctl=/usr/lib/rabbitmq/bin/rabbitmqctl
  if [ -f "$home/rabbit.pid" ] && "$ctl" -q status >/dev/null 2>&1; then
    log "RabbitMQ already running on 127.0.0.1:$rabbit_port"
  else
    setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server </dev/null >"$home/log/server.out" 2>&1 9>&- &
    if ! timeout 90 "$ctl" -q wait "$home/rabbit.pid" >/dev/null 2>&1; then
      log "RabbitMQ did not start; see $home/log"; tail -n 30 "$home/log/server.out" >&2; exit 1
    fi
    log "RabbitMQ started on 127.0.0.1:$rabbit_port (management http://127.0.0.1:$rabbit_mgmt_port, guest/guest)"
  fi
}

install_missing
start_postgres &
pg_job=$!
start_rabbitmq
wait "$pg_job"

cat <<OUT
Platform__Mode=Distributed
ConnectionStrings__Postgres=Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=postgres
ConnectionStrings__RabbitMq=amqp://guest:guest@127.0.0.1:$rabbit_port/
RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$rabbit_mgmt_port/
OUT
