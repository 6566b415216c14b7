#!/usr/bin/env bash
# Resolves the Kafka broker jars with Maven into .local/kafka/libs. Skipped when the jars were
# fetched from the same pom (and the same KAFKA_LOCAL_VERSION override) before.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

mvn_args=(-q -B -f "$KAFKA_SCRIPT_DIR/pom.xml" package)
if [[ -n "${KAFKA_LOCAL_VERSION:-}" ]]; then
  mvn_args+=("-Dkafka.version=$KAFKA_LOCAL_VERSION")
fi

wanted_stamp="$(sha256sum "$KAFKA_SCRIPT_DIR/pom.xml" | cut -d' ' -f1) kafka.version=${KAFKA_LOCAL_VERSION:-pom}"
if [[ -f "$KAFKA_FETCH_STAMP" && "$(cat "$KAFKA_FETCH_STAMP")" == "$wanted_stamp" ]]; then
  exit 0
fi

if running_kafka_pid >/dev/null; then
  log "the broker is running; stop it (deploy/local/kafka/stop.sh) before fetching other jars"
  exit 1
fi

log "fetching broker jars with Maven (${KAFKA_LOCAL_VERSION:-version from pom.xml})"
# Start from an empty folder so jars of a previous version never end up on the classpath.
rm -rf "$KAFKA_LIBS_DIR" "$KAFKA_CDS_ARCHIVE" "$KAFKA_CDS_ARCHIVE.new"
mkdir -p "$KAFKA_LIBS_DIR"
# Maven's output (escape codes even with -q) is kept in a file and shown only when it fails.
if ! mvn "${mvn_args[@]}" >"$KAFKA_LOCAL_DIR/fetch.log" 2>&1; then
  cat "$KAFKA_LOCAL_DIR/fetch.log" >&2
  log "Maven could not fetch the broker jars (see above)"
  exit 1
fi
printf '%s\n' "$wanted_stamp" >"$KAFKA_FETCH_STAMP"
log "$(find "$KAFKA_LIBS_DIR" -name '*.jar' | wc -l) jars in $KAFKA_LIBS_DIR"
