#!/usr/bin/env bash
# Starts a single-node KRaft Kafka (broker and controller in one JVM) on 127.0.0.1:9092 in the
# background and waits until a KafkaJS admin can list topics. Does nothing if it already runs.
set -euo pipefail
started_at_ms="$(date +%s%3N)"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

if pid="$(running_kafka_pid)"; then
  log "already running (pid $pid)"
  exit 0
fi

"$KAFKA_SCRIPT_DIR/fetch.sh"
mkdir -p "$KAFKA_DATA_DIR"

# Regenerated on every start: it is derived from this script, never edited by hand.
cat >"$KAFKA_CONFIG_FILE" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
log.dirs=$KAFKA_DATA_DIR

# One node: every internal topic has a single replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Topics are created by the service (TopicAdmin) with their retention, never implicitly.
auto.create.topics.enable=false
num.partitions=12
group.initial.rebalance.delay.ms=0
PROPS

cat >"$KAFKA_LOG4J_FILE" <<'LOG4J'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state-change.name = state.change.logger
logger.state-change.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
LOG4J

# The command-line tools log their whole config at INFO on stdout; keep them to warnings on stderr.
tools_log4j_file="$KAFKA_LOCAL_DIR/log4j2-tools.properties"
cat >"$tools_log4j_file" <<'LOG4J'
status = warn
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = STDERR
LOG4J

classpath="$(kafka_classpath)"

if [[ ! -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
  if [[ ! -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
    # A Kafka cluster id is 16 random bytes in unpadded base64url, as StorageTool random-uuid
    # prints it; made here to save a JVM start. Kept so that a re-format reuses the same id.
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$KAFKA_CLUSTER_ID_FILE"
  fi
  log "formatting storage (cluster id $(cat "$KAFKA_CLUSTER_ID_FILE"))"
  java -cp "$classpath" -Dlog4j2.configurationFile="$tools_log4j_file" \
    kafka.tools.StorageTool format --standalone --ignore-formatted \
    --cluster-id "$(cat "$KAFKA_CLUSTER_ID_FILE")" --config "$KAFKA_CONFIG_FILE" >&2
fi

log "starting broker on $KAFKA_HOST:$KAFKA_PORT (log: $KAFKA_LOG_FILE)"
# setsid detaches the broker from this shell's process group so that ^C on a caller does not
# kill it; stop.sh is the way to end it.
setsid java -Xmx384m -Xms384m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$KAFKA_LOG4J_FILE" \
  -cp "$classpath" kafka.Kafka "$KAFKA_CONFIG_FILE" \
  >>"$KAFKA_LOG_FILE" 2>&1 </dev/null &
echo $! >"$KAFKA_PID_FILE"

if ! node "$KAFKA_SCRIPT_DIR/wait-ready.js" \
  --broker "$KAFKA_HOST:$KAFKA_PORT" --pid "$(cat "$KAFKA_PID_FILE")" --since "$started_at_ms"; then
  log "broker did not become ready; last lines of $KAFKA_LOG_FILE:"
  tail -n 40 "$KAFKA_LOG_FILE" >&2 || true
  exit 1
fi
