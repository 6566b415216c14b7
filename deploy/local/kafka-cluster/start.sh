#!/usr/bin/env bash
# Starts the local three-broker KRaft cluster (each JVM broker and controller, 127.0.0.1:29092-29094,
# controllers on 29192-29194, data under .local/kafka-cluster/<n>) and waits until every started
# node answers a KafkaJS admin. `start.sh 2` starts only node 2 (after a crash, say); nodes that
# already run are left alone.
set -euo pipefail
started_at_ms="$(date +%s%3N)"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

nodes=("$@")
[[ ${#nodes[@]} -gt 0 ]] || nodes=("${CLUSTER_NODES[@]}")
for n in "${nodes[@]}"; do
  [[ "$n" =~ ^[123]$ ]] || { log "unknown node $n (1, 2 or 3)"; exit 2; }
done

take_script_lock
"$REPO_ROOT/deploy/local/kafka/fetch.sh"

if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
  head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | sed 's/^-/A/' >"$CLUSTER_ID_FILE"
fi
cat >"$CLUSTER_HOME/log4j2.properties" <<'LOG4J'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaServer
logger.server.level = info
LOG4J

classpath="$KAFKA_LIBS_DIR/*"
launched=()
for n in "${nodes[@]}"; do
  if pid="$(running_node_pid "$n")"; then
    log "node $n already running (pid $pid)"
    continue
  fi
  for port in "$(client_port "$n")" "$(controller_port "$n")"; do
    if port_in_use "$CLUSTER_HOST" "$port"; then
      log "$CLUSTER_HOST:$port is already in use by a process this script did not start"
      exit 1
    fi
  done
  write_node_config "$n"
  if [[ ! -f "$(node_home "$n")/data/meta.properties" ]]; then
    log "formatting node $n (cluster id $(cat "$CLUSTER_ID_FILE"))"
    java -cp "$classpath" -Dlog4j2.configurationFile="$CLUSTER_HOME/log4j2.properties" \
      kafka.tools.StorageTool format --ignore-formatted \
      --cluster-id "$(cat "$CLUSTER_ID_FILE")" --config "$(node_config_file "$n")" >/dev/null
  fi
  log_file="$(node_log_file "$n")"
  if [[ -f "$log_file" ]]; then mv -f "$log_file" "$log_file.1"; fi
  log "starting node $n on $CLUSTER_HOST:$(client_port "$n") (log: $log_file)"
  # Small heaps: three brokers share the machine with the service. setsid keeps ^C of the caller
  # from reaching the brokers; stop.sh is the way to end them.
  setsid java -Xmx320m -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$CLUSTER_HOME/log4j2.properties" \
    -cp "$classpath" kafka.Kafka "$(node_config_file "$n")" \
    >>"$log_file" 2>&1 </dev/null 9>&- &
  echo $! >"$(node_pid_file "$n")"
  launched+=("$n")
done

# A node is ready only once a quorum of controllers is up: wait after launching them all.
for n in "${launched[@]}"; do
  if ! node "$REPO_ROOT/deploy/local/kafka/wait-ready.js" --broker "$CLUSTER_HOST:$(client_port "$n")" \
    --pid "$(cat "$(node_pid_file "$n")")" --since "$started_at_ms" --timeout-ms 120000; then
    log "node $n did not become ready; last lines of $(node_log_file "$n"):"
    tail -n 40 "$(node_log_file "$n")" >&2 || true
    exit 1
  fi
done
log "cluster ready: $CLUSTER_BROKERS"
