#!/usr/bin/env bash
# Stops the secured Postgres cluster and its replica (kept on disk for the next secure-up; SECURE_DROP=1 drops them).
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
if [ "${SECURE_DROP:-0}" = 1 ]; then
  secure_replica_script replica-drop.sh
else
  [ "$(cluster_status "$SECURE_PG_REPLICA_CLUSTER")" = online ] &&
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$SECURE_PG_REPLICA_CLUSTER" stop -m fast
fi
status="$(cluster_status "$SECURE_PG_CLUSTER")"
[ "$status" = online ] && pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$SECURE_PG_CLUSTER" stop -m fast
if [ "${SECURE_DROP:-0}" = 1 ] && [ -n "$status" ]; then
  pg_dropcluster "$PG_VERSION" "$SECURE_PG_CLUSTER"
  rm -rf "/etc/postgresql/$PG_VERSION/$SECURE_PG_CLUSTER"
fi
exit 0
