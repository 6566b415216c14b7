#!/usr/bin/env bash
# `make test`: installs, brings up what the tests need, runs every tier, and stops only what it
# started (a stack left running by `make up` stays up).
set -euo pipefail
cd "$(dirname "$0")/../.."

kafka_running() { [ -f .local/kafka/kafka.pid ] && kill -0 "$(cat .local/kafka/kafka.pid)" 2>/dev/null; }
replica_running() { pg_lsclusters -h 2>/dev/null | awk '$2 == "replica" && $4 ~ /^online/' | grep -q .; }

kafka_before=no; kafka_running && kafka_before=yes
replica_before=no; replica_running && replica_before=yes

teardown() {
  local status=$?
  [ "$kafka_before" = no ] && deploy/local/kafka/stop.sh || true
  [ "$replica_before" = no ] && deploy/local/postgres/replica-stop.sh || true
  exit "$status"
}
trap teardown EXIT

started=$SECONDS
make --no-print-directory install
make --no-print-directory build
make --no-print-directory kafka-start replica-start chromium-install
echo "stack ready after $(( SECONDS - started )) s"
# The unit tier also on the runtime the image ships (Node 22 LTS, from the npm registry's `node`
# package); the machine's Node runs every tier.
npx -y -p node@22 node node_modules/.bin/jest --selectProjects unit
npm test
# Once, after the plaintext tiers: the same service against SASL_SSL Kafka and TLS-only Postgres.
deploy/local/run-secure-tests.sh
echo "make test: all tiers passed in $(( SECONDS - started )) s"
