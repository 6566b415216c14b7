#!/usr/bin/env bash
# Stops the secured broker by its pid (SIGTERM, SIGKILL after 30 s). Does nothing when it is not running.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
if ! pid="$(running_secure_kafka_pid)"; then
  rm -f "$SECURE_KAFKA_PID_FILE"
  exit 0
fi
log "stopping secured broker (pid $pid)"
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
rm -f "$SECURE_KAFKA_PID_FILE"
