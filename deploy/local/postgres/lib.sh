#!/usr/bin/env bash
# Shared settings and helpers for the local Postgres scripts; sourced, never run directly.
# Every value can be overridden from the environment, so the same scripts serve other layouts.

PG_VERSION="${PG_VERSION:-15}"
PRIMARY_CLUSTER="${PRIMARY_CLUSTER:-main}"
PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_CLUSTER="${REPLICA_CLUSTER:-replica}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICATION_SLOT="${REPLICATION_SLOT:-vinsight_replica}"
PG_SUPERUSER="${PG_SUPERUSER:-postgres}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/${PG_VERSION}/bin}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a command as the OS user that owns the clusters: pg_basebackup must write files
# that the postgres server (running as that user) can read and own.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# psql against the primary as the superuser; -X ignores ~/.psqlrc, -At gives bare values.
primary_sql() {
  local db="$1"; shift
  psql -X -At -v ON_ERROR_STOP=1 -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_SUPERUSER" -d "$db" "$@"
}

replica_sql() {
  psql -X -At -v ON_ERROR_STOP=1 -h "$PRIMARY_HOST" -p "$REPLICA_PORT" -U "$PG_SUPERUSER" -d postgres "$@"
}

# Prints "online", "down" or nothing when the cluster does not exist (pg_lsclusters
# reports a standby as "online,recovery").
cluster_status() {
  pg_lsclusters --no-header 2>/dev/null \
    | awk -v v="$PG_VERSION" -v c="$1" '$1 == v && $2 == c { split($4, s, ","); print s[1] }'
}

# Waits until a check command succeeds, or fails with a message after WAIT_SECONDS.
wait_for() {
  local what="$1"; shift
  local deadline=$((SECONDS + WAIT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      die "timed out after ${WAIT_SECONDS}s waiting for ${what}"
    fi
    sleep 0.2
  done
}

# pg_dropcluster removes only the files it created, so our conf.d file would keep the
# config directory alive and make the next pg_createcluster refuse to run.
drop_cluster() {
  local cluster="$1"
  if [ -n "$(cluster_status "$cluster")" ]; then
    log "dropping cluster ${PG_VERSION}/${cluster}"
    pg_dropcluster --stop "$PG_VERSION" "$cluster"
  fi
  rm -rf "/etc/postgresql/${PG_VERSION}/${cluster}"
}
