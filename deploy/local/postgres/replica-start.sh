#!/usr/bin/env bash
# Starts the local streaming replica (cluster 15/replica on port 5433), creating it on first
# use from a pg_basebackup of the primary through the physical slot `vinsight_replica`.
# Idempotent: running replica -> nothing to do; stopped -> started; missing -> created.
# REPLICA_EXTRA_CONF: settings added to the new replica's configuration (the secured stack's TLS).
# A replica whose slot was invalidated (it fell behind max_slot_wal_keep_size) cannot catch
# up any more, so it is rebuilt rather than started.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPLICA_DATA_DIR="/var/lib/postgresql/${PG_VERSION}/${REPLICA_CLUSTER}"
REPLICA_CONF_DIR="/etc/postgresql/${PG_VERSION}/${REPLICA_CLUSTER}"

slot_state() {
  primary_sql postgres -v slot="$REPLICATION_SLOT" <<'SQL'
SELECT coalesce((SELECT coalesce(wal_status, 'unknown') FROM pg_replication_slots WHERE slot_name = :'slot'), 'missing');
SQL
}

ensure_slot() {
  primary_sql postgres -v slot="$REPLICATION_SLOT" <<'SQL' >/dev/null
SELECT pg_create_physical_replication_slot(:'slot')
WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = :'slot');
SQL
}

create_replica_cluster() {
  log "creating cluster ${PG_VERSION}/${REPLICA_CLUSTER} on port ${REPLICA_PORT}"
  ensure_slot
  # pg_createcluster provides the Debian layout (config in /etc, pg_ctlcluster integration);
  # its freshly initialised data directory is then replaced by a copy of the primary.
  pg_createcluster --start-conf manual -p "$REPLICA_PORT" "$PG_VERSION" "$REPLICA_CLUSTER" >/dev/null
  find "$REPLICA_DATA_DIR" -mindepth 1 -delete
  # -R writes standby.signal and primary_conninfo; -S streams through the slot so the
  # primary keeps every WAL segment the replica has not received yet.
  as_postgres "${PG_BIN}/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PG_SUPERUSER" \
    -D "$REPLICA_DATA_DIR" -R -X stream -S "$REPLICATION_SLOT" -c fast
  # The replica accepts the same clients as the primary (trust from 127.0.0.1 locally).
  cp "$(primary_sql postgres -c "SHOW hba_file")" "${REPLICA_CONF_DIR}/pg_hba.conf"
  chown postgres:postgres "${REPLICA_CONF_DIR}/pg_hba.conf"
  mkdir -p "${REPLICA_CONF_DIR}/conf.d"
  cat >"${REPLICA_CONF_DIR}/conf.d/50-vinsight-replica.conf" <<CONF
# Written by deploy/local/postgres/replica-start.sh
listen_addresses = '127.0.0.1'
port = ${REPLICA_PORT}
hot_standby = on
# Tells the primary which rows replica queries still need, so vacuum there does not cancel them.
hot_standby_feedback = on
${REPLICA_EXTRA_CONF:-}
CONF
  chown -R postgres:postgres "${REPLICA_CONF_DIR}/conf.d"
}

start_replica_cluster() {
  log "starting cluster ${PG_VERSION}/${REPLICA_CLUSTER}"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" start
}

replica_in_recovery() {
  [ "$(replica_sql -c "SELECT pg_is_in_recovery()")" = "t" ]
}

replica_streaming() {
  [ "$(replica_sql -c "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")" = "1" ]
}

main() {
  local started=$SECONDS
  local status slot
  status="$(cluster_status "$REPLICA_CLUSTER")"
  slot="$(slot_state)"
  if [ -n "$status" ] && { [ "$slot" = "lost" ] || [ "$slot" = "missing" ]; }; then
    log "replication slot ${REPLICATION_SLOT} is ${slot}: the replica must be rebuilt"
    drop_cluster "$REPLICA_CLUSTER"
    if [ "$slot" = "lost" ]; then
      primary_sql postgres -v slot="$REPLICATION_SLOT" <<'SQL' >/dev/null
SELECT pg_drop_replication_slot(:'slot');
SQL
    fi
    status=""
  fi
  if [ -z "$status" ]; then
    drop_cluster "$REPLICA_CLUSTER"
    create_replica_cluster
    status="down"
  fi
  if [ "$status" != "online" ]; then
    start_replica_cluster
  fi
  wait_for "the replica on port ${REPLICA_PORT}" pg_isready -q -h "$PRIMARY_HOST" -p "$REPLICA_PORT"
  wait_for "the replica to be in recovery" replica_in_recovery
  wait_for "the replica to stream from the primary" replica_streaming
  log "replica streaming on ${PRIMARY_HOST}:${REPLICA_PORT} ($((SECONDS - started))s)"
}

main "$@"
