#!/usr/bin/env bash
# Prints the environment that points the service (and, with TEST_ names, the tests) at the secured
# stack: `source <(deploy/local/secure/env.sh)`. Database: vinsight, or the first argument.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
database="${1:-vinsight}"
password="$(cat "$SECURE_DIR/postgres.password")"
tls="sslmode=verify-full&sslrootcert=$TLS_DIR/ca.crt"
url() { printf 'postgres://%s:%s@%s:%s/%s?%s' "$1" "$password" "$SECURE_HOST" "${2:-$SECURE_PG_PORT}" "$database" "$tls"; }
for prefix in "" TEST_; do
  cat <<ENV
export ${prefix}DATABASE_URL='$(url vinsight_owner)'
export ${prefix}PROJECTOR_DATABASE_URL='$(url vinsight_projector)'
export ${prefix}API_DATABASE_URL='$(url vinsight_api)'
export ${prefix}REPLICA_DATABASE_URL='$(url vinsight_api "$SECURE_PG_REPLICA_PORT")'
export ${prefix}KAFKA_BROKERS='$SECURE_HOST:$SECURE_KAFKA_PORT'
export ${prefix}KAFKA_SSL=true
export ${prefix}KAFKA_SSL_CA_FILE='$TLS_DIR/ca.crt'
export ${prefix}KAFKA_SASL_MECHANISM=scram-sha-512
export ${prefix}KAFKA_SASL_USERNAME='$SECURE_KAFKA_USER'
export ${prefix}KAFKA_SASL_PASSWORD_FILE='$SECURE_DIR/kafka.password'
ENV
done
echo "export TEST_SUPERUSER_URL='postgres://postgres@$SECURE_HOST:$SECURE_PG_PORT/postgres'"
echo "export TEST_SECURE_WRONG_CA_FILE='$TLS_DIR/other-ca.crt'"
