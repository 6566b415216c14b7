#!/usr/bin/env bash
# Prints what the local broker spends its time on over BROKER_METRICS_SECONDS (default 20): CPU per thread group,
# requests per second by type and the broker-side time of the transaction path's requests
# (BrokerMetrics.java, attached by pid). Run it while a benchmark loads the broker.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

if ! pid="$(running_kafka_pid)"; then
  log "not running"
  exit 1
fi
exec java "$KAFKA_SCRIPT_DIR/BrokerMetrics.java" "$pid" "${BROKER_METRICS_SECONDS:-20}"
