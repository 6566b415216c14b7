#!/usr/bin/env bash
# The replicated local stack: three Kafka brokers (deploy/local/kafka-cluster) and two instances
# of every role (command processor, projector, read API) from dist/, each tracked by a pid file in
# .local/cluster/. Postgres is the machine's (DATABASE_URL etc. from the environment, as `make up`).
#   cluster.sh up | down | status
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/kafka-cluster/common.sh
RUN_DIR=.local/cluster
mkdir -p "$RUN_DIR"
# The personal-data keys under .local (created once), unless the environment names its own.
if [ -z "${DATA_KEY_ENCRYPTION_KEY:-}${DATA_KEY_ENCRYPTION_KEY_FILE:-}" ]; then eval "$(deploy/local/personal-data-keys.sh env)"; fi

# role:instance:port; the read APIs are what clients reach, the others serve health and metrics.
INSTANCES=(command-processor:1:3101 command-processor:2:3102 projector:1:3111 projector:2:3112 read-api:1:3121 read-api:2:3122)

pid_file() { echo "$RUN_DIR/$1-$2.pid"; }
log_file() { echo "$RUN_DIR/$1-$2.log"; }
running() { local f; f="$(pid_file "$1" "$2")"; [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null; }

start_instance() {
  local role="$1" n="$2" port="$3"
  if running "$role" "$n"; then echo "$role #$n already running (pid $(cat "$(pid_file "$role" "$n")"))"; return; fi
  KAFKA_BROKERS="$CLUSTER_BROKERS" KAFKA_REPLICATION_FACTOR=3 KAFKA_MIN_INSYNC_REPLICAS=2 \
    KAFKA_CLIENT_ID="${KAFKA_CLIENT_ID:-vinsight-core}" HTTP_PORT="$port" \
    nohup node "dist/apps/$role/src/main.js" >>"$(log_file "$role" "$n")" 2>&1 </dev/null &
  echo $! >"$(pid_file "$role" "$n")"
}

wait_ready() {
  local role="$1" n="$2" port="$3" started=$SECONDS
  until curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do
    if ! running "$role" "$n"; then echo "$role #$n exited; last lines of $(log_file "$role" "$n"):"; tail -n 30 "$(log_file "$role" "$n")"; exit 1; fi
    if (( SECONDS - started > 180 )); then echo "$role #$n not ready after 180 s; see $(log_file "$role" "$n")"; exit 1; fi
    sleep 0.5
  done
  echo "$role #$n ready on port $port (pid $(cat "$(pid_file "$role" "$n")"))"
}

stop_instance() {
  local role="$1" n="$2" pid
  if ! running "$role" "$n"; then rm -f "$(pid_file "$role" "$n")"; return; fi
  pid="$(cat "$(pid_file "$role" "$n")")"
  kill -TERM "$pid"
  for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "$role #$n did not stop in 40 s, killing"; kill -KILL "$pid"; fi
  rm -f "$(pid_file "$role" "$n")"
  echo "$role #$n stopped"
}

case "${1:-}" in
  up)
    deploy/local/kafka-cluster/start.sh
    # The processors first: they create the topics (replication factor 3) and run the migrations.
    for spec in "${INSTANCES[@]}"; do IFS=: read -r role n port <<<"$spec"; start_instance "$role" "$n" "$port"; done
    for spec in "${INSTANCES[@]}"; do IFS=: read -r role n port <<<"$spec"; wait_ready "$role" "$n" "$port"; done
    ;;
  down)
    for spec in "${INSTANCES[@]}"; do IFS=: read -r role n _ <<<"$spec"; stop_instance "$role" "$n"; done
    deploy/local/kafka-cluster/stop.sh
    ;;
  status)
    for n in "${CLUSTER_NODES[@]}"; do
      if pid="$(running_node_pid "$n")"; then echo "broker $n  pid $pid  127.0.0.1:$(client_port "$n")"; else echo "broker $n  down"; fi
    done
    for spec in "${INSTANCES[@]}"; do
      IFS=: read -r role n port <<<"$spec"
      if running "$role" "$n"; then echo "$role #$n  pid $(cat "$(pid_file "$role" "$n")")  ready: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")"; else echo "$role #$n  down"; fi
    done
    ;;
  *) echo "usage: $0 up | down | status" >&2; exit 2 ;;
esac
