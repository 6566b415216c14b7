#!/usr/bin/env bash
# Creates (once) and starts the secured Postgres cluster of `make secure-up` on 127.0.0.1:5460:
# ssl=on with the certificate from certs.sh, and pg_hba.conf that lets the three vinsight roles in
# only over TLS with a SCRAM password (`hostnossl ... reject`). The superuser keeps trust on
# localhost for set-up. Then its streaming replica on 5461 (deploy/local/postgres/replica-start.sh:
# the same pg_hba.conf, and the same certificate). The machine's own clusters (5432/5433) are not touched.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

"$SECURE_SCRIPT_DIR/certs.sh"
conf_dir="/etc/postgresql/$PG_VERSION/$SECURE_PG_CLUSTER"
if [ -z "$(cluster_status "$SECURE_PG_CLUSTER")" ]; then
  port_in_use "$SECURE_HOST" "$SECURE_PG_PORT" && die "$SECURE_HOST:$SECURE_PG_PORT is already in use"
  log "creating cluster $PG_VERSION/$SECURE_PG_CLUSTER on port $SECURE_PG_PORT"
  rm -rf "$conf_dir"
  pg_createcluster "$PG_VERSION" "$SECURE_PG_CLUSTER" -p "$SECURE_PG_PORT" >/dev/null
fi

install -o postgres -g postgres -m 600 "$TLS_DIR/server.key" "$conf_dir/server.key"
install -o postgres -g postgres -m 644 "$TLS_DIR/server.crt" "$conf_dir/server.crt"
cat >"$conf_dir/pg_hba.conf" <<'HBA'
# Written by deploy/local/secure/postgres-start.sh.
local     all          all                                                trust
# The service's roles: TLS and a password, nothing else.
hostnossl all          vinsight_owner,vinsight_projector,vinsight_api    127.0.0.1/32  reject
hostssl   all          vinsight_owner,vinsight_projector,vinsight_api    127.0.0.1/32  scram-sha-256
host      all          postgres                                          127.0.0.1/32  trust
host      replication  all                                               127.0.0.1/32  trust
HBA
mkdir -p "$conf_dir/conf.d"
cat >"$conf_dir/conf.d/50-vinsight-secure.conf" <<CONF
listen_addresses = '$SECURE_HOST'
port = $SECURE_PG_PORT
ssl = on
ssl_cert_file = '$conf_dir/server.crt'
ssl_key_file = '$conf_dir/server.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
fsync = off
shared_buffers = 64MB
max_connections = 200
CONF
chown -R postgres:postgres "$conf_dir"

if [ "$(cluster_status "$SECURE_PG_CLUSTER")" = online ]; then
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$SECURE_PG_CLUSTER" reload
else
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$SECURE_PG_CLUSTER" start
fi

# Roles, databases and grants exactly as on the plaintext primary, then the roles' passwords.
DATABASES="$SECURE_DATABASES" PRIMARY_CLUSTER="$SECURE_PG_CLUSTER" PRIMARY_PORT="$SECURE_PG_PORT" \
  "$REPO_ROOT/deploy/local/postgres/setup.sh"
password="$(cat "$(password_file postgres)")"
psql -X -q -v ON_ERROR_STOP=1 -h "$SECURE_HOST" -p "$SECURE_PG_PORT" -U postgres -d postgres -v pw="$password" <<'SQL'
ALTER ROLE vinsight_owner PASSWORD :'pw';
ALTER ROLE vinsight_projector PASSWORD :'pw';
ALTER ROLE vinsight_api PASSWORD :'pw';
SQL

# The replica: created from a base backup on first use, with the primary's TLS settings (its
# certificate files, which the postgres user owns) and at least its max_connections (a standby
# with fewer refuses hot standby).
REPLICA_EXTRA_CONF="$(cat <<CONF
ssl = on
ssl_cert_file = '$conf_dir/server.crt'
ssl_key_file = '$conf_dir/server.key'
ssl_min_protocol_version = 'TLSv1.2'
max_connections = 200
CONF
)" secure_replica_script replica-start.sh
log "secured Postgres ready on $SECURE_HOST:$SECURE_PG_PORT, its replica on $SECURE_HOST:$SECURE_PG_REPLICA_PORT (hostssl only for the vinsight roles)"
