#!/bin/bash
# Clones the primary once with pg_basebackup (-R writes standby.signal and primary_conninfo),
# then runs as a hot standby streaming from the slot the primary created.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h postgres -p 5432; do sleep 1; done
  pg_basebackup -h postgres -p 5432 -U replicator -D "$PGDATA" -R -X stream -S vinsight_replica
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
