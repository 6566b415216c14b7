#!/usr/bin/env bash
# Starts a single-node KRaft Kafka (broker and controller in one JVM) on 127.0.0.1:9092 in the
# background and waits until a KafkaJS admin can list topics. Does nothing if it already runs.
set -euo pipefail
started_at_ms="$(date +%s%3N)"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

take_script_lock

if pid="$(running_kafka_pid)"; then
  log "already running (pid $pid)"
  exit 0
fi

# Something else on our ports (another checkout's broker?) would answer the readiness check
# while our broker fails to bind; refuse instead of reporting a broker we did not start.
for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  if port_in_use "$KAFKA_HOST" "$port"; then
    log "$KAFKA_HOST:$port is already in use by a process this script did not start"
    exit 1
  fi
done

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

# One node: every internal topic has a single replica. Fewer partitions than the default 50 for
# the internal topics: each partition costs open files and load time at every start.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.num.partitions=10
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
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
# Per-partition chatter (thousands of lines per start) stays out unless something goes wrong.
logger.state-change.name = state.change.logger
logger.state-change.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = warn
logger.log-loading.name = org.apache.kafka.storage.internals.log
logger.log-loading.level = warn
logger.partition.name = kafka.cluster.Partition
logger.partition.level = warn
logger.replication-control.name = org.apache.kafka.controller.ReplicationControlManager
logger.replication-control.level = warn
logger.configuration-control.name = org.apache.kafka.controller.ConfigurationControlManager
logger.configuration-control.level = warn
logger.coordinator-runtime.name = org.apache.kafka.coordinator.common.runtime
logger.coordinator-runtime.level = warn
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
    # Never a leading '-' (Kafka's own ids avoid it): StorageTool would read the id as an option.
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | sed 's/^-/A/' >"$KAFKA_CLUSTER_ID_FILE"
  fi
  log "formatting storage (cluster id $(cat "$KAFKA_CLUSTER_ID_FILE"))"
  java -cp "$classpath" -Dlog4j2.configurationFile="$tools_log4j_file" \
    kafka.tools.StorageTool format --standalone --ignore-formatted \
    --cluster-id "$(cat "$KAFKA_CLUSTER_ID_FILE")" --config "$KAFKA_CONFIG_FILE" >/dev/null
fi

# One log per run; the previous one is kept beside it for a post-mortem.
if [[ -f "$KAFKA_LOG_FILE" ]]; then mv -f "$KAFKA_LOG_FILE" "$KAFKA_LOG_FILE.1"; fi

if [[ -f "$KAFKA_CDS_ARCHIVE" ]]; then
  # The JVM checks the archive against this JDK and these jars and ignores it if they differ.
  cds_flags=(-XX:SharedArchiveFile="$KAFKA_CDS_ARCHIVE")
else
  # Dumped at exit under a temporary name; stop.sh keeps it only after a clean exit.
  rm -f "$KAFKA_CDS_ARCHIVE.new"
  cds_flags=(-XX:ArchiveClassesAtExit="$KAFKA_CDS_ARCHIVE.new")
fi

log "starting broker on $KAFKA_HOST:$KAFKA_PORT (log: $KAFKA_LOG_FILE)"
# setsid detaches the broker from this shell's process group so that ^C on a caller does not
# kill it; stop.sh is the way to end it.
setsid java "${cds_flags[@]}" -Xlog:cds=off -Xlog:cds+dynamic=off -Xmx384m -Xms384m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
  -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$KAFKA_LOG4J_FILE" \
  -cp "$classpath" kafka.Kafka "$KAFKA_CONFIG_FILE" \
  >>"$KAFKA_LOG_FILE" 2>&1 </dev/null 9>&- &
echo $! >"$KAFKA_PID_FILE"

if ! node "$KAFKA_SCRIPT_DIR/wait-ready.js" \
  --broker "$KAFKA_HOST:$KAFKA_PORT" --pid "$(cat "$KAFKA_PID_FILE")" --since "$started_at_ms"; then
  log "broker did not become ready; last lines of $KAFKA_LOG_FILE:"
  tail -n 40 "$KAFKA_LOG_FILE" >&2 || true
  # Leave nothing half-started behind, and no class archive of a failed start.
  stop_broker "$(cat "$KAFKA_PID_FILE")"
  rm -f "$KAFKA_CDS_ARCHIVE.new"
  exit 1
fi
