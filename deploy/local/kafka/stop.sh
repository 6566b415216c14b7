#!/usr/bin/env bash
# Stops the local broker by its pid: SIGTERM (controlled shutdown), then SIGKILL after 30 s.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

if ! pid="$(running_kafka_pid)"; then
  rm -f "$KAFKA_PID_FILE"
  log "not running"
  exit 0
fi

log "stopping broker (pid $pid)"
kill -TERM "$pid"
for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  log "still running after 30 s, sending SIGKILL"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f "$KAFKA_PID_FILE"
log "stopped"
