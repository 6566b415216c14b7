#!/bin/bash
# Runs once, on the primary's first start (docker-entrypoint-initdb.d): the three database roles,
# a replication user and its slot, and access for the replica.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE vinsight_owner LOGIN PASSWORD 'owner';
CREATE ROLE vinsight_projector LOGIN BYPASSRLS PASSWORD 'projector';
CREATE ROLE vinsight_api LOGIN NOBYPASSRLS PASSWORD 'api';
CREATE ROLE replicator LOGIN REPLICATION PASSWORD 'replicator';
ALTER DATABASE vinsight OWNER TO vinsight_owner;
ALTER SCHEMA public OWNER TO vinsight_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT pg_create_physical_replication_slot('vinsight_replica');
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
