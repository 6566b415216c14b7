# Shared paths, ports and helpers of the secured local stack (`make secure-up`); sourced, never run.
# It runs beside `make up`'s plaintext stack: its own broker, its own Postgres cluster, its own ports.

SECURE_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SECURE_SCRIPT_DIR/../../.." && pwd)"
SECURE_DIR="$REPO_ROOT/.local/secure"
TLS_DIR="$SECURE_DIR/tls"
SECURE_KAFKA_DIR="$SECURE_DIR/kafka"
SECURE_KAFKA_PID_FILE="$SECURE_KAFKA_DIR/kafka.pid"
SECURE_KAFKA_LOG_FILE="$SECURE_KAFKA_DIR/kafka.log"
# The broker's jars, fetched once by deploy/local/kafka/fetch.sh for the plaintext broker.
KAFKA_LIBS_DIR="$REPO_ROOT/.local/kafka/libs"

SECURE_HOST=127.0.0.1
# SASL_SSL for clients; the controller and the broker's own listener stay PLAINTEXT on localhost.
# Clear of 9092/9093 (make up) and 29092-29094/29192-29194 (make cluster-up).
SECURE_KAFKA_PORT="${SECURE_KAFKA_PORT:-9292}"
SECURE_KAFKA_CONTROLLER_PORT="${SECURE_KAFKA_CONTROLLER_PORT:-9293}"
SECURE_KAFKA_INTERNAL_PORT="${SECURE_KAFKA_INTERNAL_PORT:-9294}"
SECURE_KAFKA_USER=vinsight

PG_VERSION="${PG_VERSION:-15}"
SECURE_PG_CLUSTER="${SECURE_PG_CLUSTER:-vinsight_secure}"
SECURE_PG_PORT="${SECURE_PG_PORT:-5460}"
# Its streaming replica (the read API's replica, TLS like the primary), through its own slot.
SECURE_PG_REPLICA_CLUSTER="${SECURE_PG_REPLICA_CLUSTER:-vinsight_secure_replica}"
SECURE_PG_REPLICA_PORT="${SECURE_PG_REPLICA_PORT:-5461}"
SECURE_PG_REPLICATION_SLOT="${SECURE_PG_REPLICATION_SLOT:-vinsight_secure_replica}"
SECURE_DATABASES="${SECURE_DATABASES:-vinsight vinsight_test}"

log() { printf '[secure] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# A password kept in a file (like a mounted Kubernetes Secret), made once.
password_file() {
  local file="$SECURE_DIR/$1.password"
  if [ ! -s "$file" ]; then
    mkdir -p "$SECURE_DIR"
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  fi
  printf '%s\n' "$file"
}

running_secure_kafka_pid() {
  [[ -f "$SECURE_KAFKA_PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$SECURE_KAFKA_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$SECURE_KAFKA_DIR/server.properties" || return 1
  printf '%s\n' "$pid"
}

cluster_status() {
  pg_lsclusters --no-header 2>/dev/null | awk -v v="$PG_VERSION" -v c="$1" '$1 == v && $2 == c { split($4, s, ","); print s[1] }'
}

# deploy/local/postgres/replica-start.sh and replica-drop.sh, pointed at the secured pair.
secure_replica_script() {
  PRIMARY_CLUSTER="$SECURE_PG_CLUSTER" PRIMARY_PORT="$SECURE_PG_PORT" REPLICA_CLUSTER="$SECURE_PG_REPLICA_CLUSTER" \
    REPLICA_PORT="$SECURE_PG_REPLICA_PORT" REPLICATION_SLOT="$SECURE_PG_REPLICATION_SLOT" REPLICA_EXTRA_CONF="${REPLICA_EXTRA_CONF:-}" \
    "$REPO_ROOT/deploy/local/postgres/$1"
}
