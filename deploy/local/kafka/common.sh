# Shared paths and helpers for the local Kafka scripts; sourced, never run.
# Everything is derived from this file's location so the scripts work from any directory.

KAFKA_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_SCRIPT_DIR/../../.." && pwd)"
KAFKA_LOCAL_DIR="$REPO_ROOT/.local/kafka"
KAFKA_LIBS_DIR="$KAFKA_LOCAL_DIR/libs"
KAFKA_DATA_DIR="$KAFKA_LOCAL_DIR/data"
KAFKA_PID_FILE="$KAFKA_LOCAL_DIR/kafka.pid"
KAFKA_LOG_FILE="$KAFKA_LOCAL_DIR/kafka.log"
KAFKA_CONFIG_FILE="$KAFKA_LOCAL_DIR/server.properties"
KAFKA_LOG4J_FILE="$KAFKA_LOCAL_DIR/log4j2.properties"
KAFKA_CLUSTER_ID_FILE="$KAFKA_LOCAL_DIR/cluster.id"
KAFKA_FETCH_STAMP="$KAFKA_LIBS_DIR/.fetch-stamp"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"

log() { printf '[kafka] %s\n' "$*" >&2; }

# Prints the broker's pid when the pid file names a live Kafka process. Checking the command line
# guards against a stale pid file whose number was reused by an unrelated process.
running_kafka_pid() {
  [[ -f "$KAFKA_PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$KAFKA_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "$pid"
}

kafka_classpath() {
  printf '%s/*' "$KAFKA_LIBS_DIR"
}
