#!/usr/bin/env bash
# Stops the local broker by its pid: SIGTERM (controlled shutdown), then SIGKILL after 30 s.
# Does nothing when it is not running.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
take_script_lock

if ! pid="$(running_kafka_pid)"; then
  rm -f "$KAFKA_PID_FILE"
  log "not running"
  exit 0
fi

log "stopping broker (pid $pid)"
stop_broker "$pid"
if [[ -f "$KAFKA_CDS_ARCHIVE.new" ]]; then
  mv -f "$KAFKA_CDS_ARCHIVE.new" "$KAFKA_CDS_ARCHIVE"
  log "saved the class archive for faster starts"
fi
log "stopped"
