#!/usr/bin/env bash
# Stops the local replica but keeps its data directory and slot, so the next
# replica-start.sh only has to replay the WAL written in between.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

status="$(cluster_status "$REPLICA_CLUSTER")"
if [ "$status" = "online" ]; then
  log "stopping cluster ${PG_VERSION}/${REPLICA_CLUSTER}"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$REPLICA_CLUSTER" stop -m fast
else
  log "cluster ${PG_VERSION}/${REPLICA_CLUSTER} is ${status:-absent}: nothing to stop"
fi
