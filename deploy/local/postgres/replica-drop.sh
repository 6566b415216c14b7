#!/usr/bin/env bash
# Removes the local replica completely: its cluster (data and config) and its replication
# slot on the primary, which would otherwise pin WAL on the primary's disk.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

slot_inactive_or_missing() {
  [ "$(primary_sql postgres -v slot="$REPLICATION_SLOT" <<'SQL'
SELECT count(*) FROM pg_replication_slots WHERE slot_name = :'slot' AND active;
SQL
)" = "0" ]
}

drop_cluster "$REPLICA_CLUSTER"
if pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; then
  # The primary's walsender may outlive the stopped replica by a moment.
  wait_for "the slot ${REPLICATION_SLOT} to be released" slot_inactive_or_missing
  primary_sql postgres -v slot="$REPLICATION_SLOT" <<'SQL' >/dev/null
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = :'slot';
SQL
  log "replica and slot ${REPLICATION_SLOT} removed"
else
  log "primary not running: slot ${REPLICATION_SLOT} left in place"
fi
