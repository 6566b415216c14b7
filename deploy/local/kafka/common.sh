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
# Class-data-sharing archive of the broker's classes: written when a broker started without one
# stops cleanly, used by every later start (about a second faster, and less resident memory).
KAFKA_CDS_ARCHIVE="$KAFKA_LOCAL_DIR/kafka-classes.jsa"

# Overridable for a second checkout on the same machine; the tests expect the defaults.
KAFKA_HOST="${KAFKA_LOCAL_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_LOCAL_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_LOCAL_CONTROLLER_PORT:-9093}"

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

# Serialises start and stop, so that two callers racing (parallel make targets) start one broker.
take_script_lock() {
  mkdir -p "$KAFKA_LOCAL_DIR"
  exec 9>"$KAFKA_LOCAL_DIR/.script.lock"
  flock 9
}

port_in_use() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# SIGTERM (a controlled shutdown), then SIGKILL after 30 s; removes the pid file.
stop_broker() {
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 30 s, sending SIGKILL"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    # A class archive cut off mid-write must not be used.
    rm -f "$KAFKA_CDS_ARCHIVE.new"
  fi
  rm -f "$KAFKA_PID_FILE"
}
