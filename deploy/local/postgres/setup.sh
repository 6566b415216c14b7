#!/usr/bin/env bash
# Prepares the local Postgres primary for V-Insight: running, ready for a streaming replica,
# with the three least-privilege roles and the `vinsight` / `vinsight_test` databases.
# Idempotent: every step checks before it changes anything, so it is safe to run repeatedly.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Space-separated list; override with DATABASES="..." to prepare other databases.
read -r -a DATABASES <<<"${DATABASES:-vinsight vinsight_test}"

ensure_primary_running() {
  if pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; then
    return
  fi
  log "starting cluster ${PG_VERSION}/${PRIMARY_CLUSTER}"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PRIMARY_CLUSTER" start
  wait_for "the primary on port ${PRIMARY_PORT}" pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"
}

# Only raises settings that are too low: the stock defaults (wal_level replica, 10 senders,
# 10 slots) already allow streaming replication, so on a fresh Debian cluster nothing that
# needs a restart changes. hot_standby_feedback only acts on a standby; setting it on the
# primary means pg_basebackup copies it into every replica's postgresql.auto.conf.
# max_slot_wal_keep_size bounds the WAL a stopped replica's slot can pin on this disk.
ensure_replication_settings() {
  local changed=0
  local setting
  setting="$(primary_sql postgres -c "SHOW wal_level")"
  if [ "$setting" = "minimal" ]; then
    primary_sql postgres -c "ALTER SYSTEM SET wal_level = 'replica'" >/dev/null; changed=1
  fi
  setting="$(primary_sql postgres -c "SHOW max_wal_senders")"
  if [ "$setting" -lt 10 ]; then
    primary_sql postgres -c "ALTER SYSTEM SET max_wal_senders = 10" >/dev/null; changed=1
  fi
  setting="$(primary_sql postgres -c "SHOW max_replication_slots")"
  if [ "$setting" -lt 10 ]; then
    primary_sql postgres -c "ALTER SYSTEM SET max_replication_slots = 10" >/dev/null; changed=1
  fi
  setting="$(primary_sql postgres -c "SHOW hot_standby_feedback")"
  if [ "$setting" != "on" ]; then
    primary_sql postgres -c "ALTER SYSTEM SET hot_standby_feedback = on" >/dev/null; changed=1
  fi
  setting="$(primary_sql postgres -c "SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size'")"
  if [ "$setting" = "-1" ]; then
    primary_sql postgres -c "ALTER SYSTEM SET max_slot_wal_keep_size = '4GB'" >/dev/null; changed=1
  fi
  if [ "$changed" -eq 1 ]; then
    primary_sql postgres -c "SELECT pg_reload_conf()" >/dev/null
  fi
  local pending
  pending="$(primary_sql postgres -c "SELECT count(*) FROM pg_settings WHERE pending_restart")"
  if [ "$pending" != "0" ]; then
    log "settings changed that need a restart: restarting ${PG_VERSION}/${PRIMARY_CLUSTER}"
    pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PRIMARY_CLUSTER" restart
    wait_for "the primary on port ${PRIMARY_PORT}" pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"
  fi
}

# Replication connections match only the `replication` keyword in pg_hba.conf, never `all`.
ensure_replication_hba() {
  local hba_file
  hba_file="$(primary_sql postgres -c "SHOW hba_file")"
  if grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba_file"; then
    return
  fi
  log "allowing replication connections from 127.0.0.1 in ${hba_file}"
  printf '%s\n' 'host    replication     all             127.0.0.1/32            trust' >>"$hba_file"
  primary_sql postgres -c "SELECT pg_reload_conf()" >/dev/null
  local errors
  errors="$(primary_sql postgres -c "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL")"
  [ "$errors" = "0" ] || die "pg_hba.conf has errors after the change: see pg_hba_file_rules"
}

# Roles are cluster-wide, so they live here and never in migrations. ALTER ROLE runs every
# time to converge attributes of roles that already existed with other settings.
ensure_roles() {
  primary_sql postgres <<'SQL' >/dev/null
DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['vinsight_owner', 'vinsight_projector', 'vinsight_api'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', role_name);
    END IF;
  END LOOP;
END
$$;
ALTER ROLE vinsight_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
-- The projector is a trusted cross-tenant writer (COPY FROM is refused under active RLS).
ALTER ROLE vinsight_projector LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION BYPASSRLS;
-- The read API is subject to row level security and has no other privilege.
ALTER ROLE vinsight_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
SQL
}

ensure_database() {
  local db="$1"
  local exists
  exists="$(primary_sql postgres -v db="$db" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'db';
SQL
)"
  if [ "$exists" = "0" ]; then
    log "creating database ${db}"
    primary_sql postgres -v db="$db" <<'SQL' >/dev/null
CREATE DATABASE :"db" OWNER vinsight_owner;
SQL
  fi
  primary_sql postgres -v db="$db" <<'SQL' >/dev/null
ALTER DATABASE :"db" OWNER TO vinsight_owner;
SQL
  # Only the owner (the migration role) may create objects; PG 15 already revokes CREATE
  # from PUBLIC, the REVOKE keeps it so on clusters upgraded from older versions.
  primary_sql "$db" <<'SQL' >/dev/null
ALTER SCHEMA public OWNER TO vinsight_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO vinsight_projector, vinsight_api;
SQL
}

main() {
  local started=$SECONDS
  ensure_primary_running
  ensure_replication_settings
  ensure_replication_hba
  ensure_roles
  local db
  for db in "${DATABASES[@]}"; do
    ensure_database "$db"
  done
  log "primary ready on ${PRIMARY_HOST}:${PRIMARY_PORT} ($((SECONDS - started))s)"
}

main "$@"
