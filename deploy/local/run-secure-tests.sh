#!/usr/bin/env bash
# `make test-secure`: the end-to-end tests against the secured stack (Kafka SASL_SSL with
# SCRAM-SHA-512, Postgres with TLS required and sslmode=verify-full), then the start-up checks of
# test/security (a wrong Kafka password, a wrong CA). Starts what is not running, stops only what
# it started. Assumes `make build` ran (run-tests.sh does it first).
#
# The e2e tests here are a representative subset, not the whole tier (which takes far longer than
# the few minutes this run is meant to add to `make test`): every role boots, commands through the
# processor, the read API fed through Kafka, and the CLI. The tests that need a superuser on the
# primary or their own Postgres clusters (outages, schema versions) stay on the plaintext stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/secure/common.sh

E2E_SUBSET=(
  test/e2e/roles-boot.e2e-spec.ts
  test/commands/command-processor.e2e-spec.ts
  test/read-api/read-api-through-kafka.e2e-spec.ts
  test/cli/cli.e2e-spec.ts
)

kafka_before=no; running_secure_kafka_pid >/dev/null && kafka_before=yes
postgres_before=no; [ "$(cluster_status "$SECURE_PG_CLUSTER")" = online ] && postgres_before=yes
teardown() {
  local status=$?
  [ "$kafka_before" = no ] && deploy/local/secure/kafka-stop.sh || true
  [ "$postgres_before" = no ] && deploy/local/secure/postgres-stop.sh || true
  exit "$status"
}
trap teardown EXIT

started=$SECONDS
deploy/local/secure/kafka-start.sh
deploy/local/secure/postgres-start.sh
echo "secured stack ready after $(( SECONDS - started )) s"
# shellcheck disable=SC1090
source <(deploy/local/secure/env.sh vinsight_test)
tests_started=$SECONDS
npx jest "${E2E_SUBSET[@]}" test/security --selectProjects e2e secure --runInBand --forceExit
echo "make test-secure: passed in $(( SECONDS - started )) s (tests $(( SECONDS - tests_started )) s)"
