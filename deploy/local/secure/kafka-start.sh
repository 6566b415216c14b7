#!/usr/bin/env bash
# Starts the secured single-node KRaft broker of `make secure-up`: clients connect with SASL_SSL
# (SCRAM-SHA-512, certificate from certs.sh) on 127.0.0.1:9292; the controller (9293) and the
# broker's own listener (9294) stay PLAINTEXT on localhost. The SCRAM user is written into the
# storage when it is formatted (`kafka-storage format --add-scram`), as KRaft requires.
set -euo pipefail
started_at_ms="$(date +%s%3N)"
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

if pid="$(running_secure_kafka_pid)"; then
  log "secured broker already running (pid $pid)"
  exit 0
fi
for port in "$SECURE_KAFKA_PORT" "$SECURE_KAFKA_CONTROLLER_PORT" "$SECURE_KAFKA_INTERNAL_PORT"; do
  port_in_use "$SECURE_HOST" "$port" && die "$SECURE_HOST:$port is already in use by a process this script did not start"
done

[ -f "$KAFKA_LIBS_DIR/.fetch-stamp" ] || "$REPO_ROOT/deploy/local/kafka/fetch.sh"
"$SECURE_SCRIPT_DIR/certs.sh"
kafka_password="$(cat "$(password_file kafka)")"
keystore_password="$(cat "$(password_file keystore)")"
mkdir -p "$SECURE_KAFKA_DIR/data"
config="$SECURE_KAFKA_DIR/server.properties"

cat >"$config" <<PROPS
process.roles=broker,controller
node.id=1
listeners=SASL_SSL://$SECURE_HOST:$SECURE_KAFKA_PORT,INTERNAL://$SECURE_HOST:$SECURE_KAFKA_INTERNAL_PORT,CONTROLLER://$SECURE_HOST:$SECURE_KAFKA_CONTROLLER_PORT
advertised.listeners=SASL_SSL://$SECURE_HOST:$SECURE_KAFKA_PORT,INTERNAL://$SECURE_HOST:$SECURE_KAFKA_INTERNAL_PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=$SECURE_HOST:$SECURE_KAFKA_CONTROLLER_PORT
log.dirs=$SECURE_KAFKA_DIR/data

sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/server.p12
ssl.keystore.password=$keystore_password
ssl.client.auth=none

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
auto.create.topics.enable=false
num.partitions=12
group.initial.rebalance.delay.ms=0
PROPS
chmod 600 "$config"

log4j="$SECURE_KAFKA_DIR/log4j2.properties"
cat >"$log4j" <<'LOG4J'
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
LOG4J

classpath="$KAFKA_LIBS_DIR/*"
if [[ ! -f "$SECURE_KAFKA_DIR/data/meta.properties" ]]; then
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' | sed 's/^-/A/')"
  log "formatting storage with SCRAM-SHA-512 user $SECURE_KAFKA_USER"
  java -cp "$classpath" -Dlog4j2.configurationFile="$log4j" kafka.tools.StorageTool format --standalone \
    --cluster-id "$cluster_id" --config "$config" \
    --add-scram "SCRAM-SHA-512=[name=$SECURE_KAFKA_USER,password=$kafka_password]" >/dev/null
fi

log "starting secured broker on $SECURE_HOST:$SECURE_KAFKA_PORT (SASL_SSL; log: $SECURE_KAFKA_LOG_FILE)"
setsid java -Xmx256m -Xms256m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$log4j" -cp "$classpath" kafka.Kafka "$config" \
  >"$SECURE_KAFKA_LOG_FILE" 2>&1 </dev/null &
echo $! >"$SECURE_KAFKA_PID_FILE"

# Ready means: a client with the CA and the SCRAM password can list topics, as the service will.
if ! (cd "$REPO_ROOT" && node - "$(cat "$SECURE_KAFKA_PID_FILE")" "$started_at_ms" <<JS
const { Kafka, logLevel } = require('kafkajs');
const fs = require('fs');
const [pid, since] = process.argv.slice(2).map(Number);
const kafka = new Kafka({
  clientId: 'secure-wait-ready', brokers: ['$SECURE_HOST:$SECURE_KAFKA_PORT'], logLevel: logLevel.NOTHING,
  connectionTimeout: 2000, retry: { retries: 0 },
  ssl: { ca: [fs.readFileSync('$TLS_DIR/ca.crt', 'utf8')] },
  sasl: { mechanism: 'scram-sha-512', username: '$SECURE_KAFKA_USER', password: fs.readFileSync('$SECURE_DIR/kafka.password', 'utf8') },
});
(async () => {
  let last;
  while (Date.now() - since < 90000) {
    try { process.kill(pid, 0); } catch { console.error('broker exited'); process.exit(1); }
    const admin = kafka.admin();
    try { await admin.connect(); await admin.listTopics(); await admin.disconnect(); process.exit(0); }
    catch (e) { last = e; await admin.disconnect().catch(() => {}); await new Promise((r) => setTimeout(r, 500)); }
  }
  console.error('not ready: ' + (last && last.message)); process.exit(1);
})();
JS
); then
  log "secured broker did not become ready; last lines of $SECURE_KAFKA_LOG_FILE:"
  tail -n 40 "$SECURE_KAFKA_LOG_FILE" >&2 || true
  "$SECURE_SCRIPT_DIR/kafka-stop.sh"
  exit 1
fi
log "secured broker ready after $(( $(date +%s%3N) - started_at_ms )) ms"
