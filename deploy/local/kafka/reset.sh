#!/usr/bin/env bash
# Stops the broker and wipes its data (topics, offsets, cluster id). The fetched jars are kept.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

"$KAFKA_SCRIPT_DIR/stop.sh"
rm -rf "$KAFKA_DATA_DIR" "$KAFKA_CLUSTER_ID_FILE" "$KAFKA_LOG_FILE" "$KAFKA_LOG_FILE.1"
log "data wiped"
