# Shared paths and helpers for the local three-broker Kafka cluster; sourced, never run.
# Reuses the jars of the single-broker stack (deploy/local/kafka/fetch.sh, .local/kafka/libs).

CLUSTER_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$CLUSTER_SCRIPT_DIR/../../.." && pwd)"
KAFKA_LIBS_DIR="$REPO_ROOT/.local/kafka/libs"
CLUSTER_HOME="$REPO_ROOT/.local/kafka-cluster"
CLUSTER_ID_FILE="$CLUSTER_HOME/cluster.id"
CLUSTER_HOST=127.0.0.1
CLUSTER_NODES=(1 2 3)
# Node n listens for clients on 29091+n and for the controller quorum on 29191+n.
client_port() { echo $((29091 + $1)); }
controller_port() { echo $((29191 + $1)); }
node_home() { echo "$CLUSTER_HOME/$1"; }
node_pid_file() { echo "$CLUSTER_HOME/$1/kafka.pid"; }
node_log_file() { echo "$CLUSTER_HOME/$1/kafka.log"; }
node_config_file() { echo "$CLUSTER_HOME/$1/server.properties"; }
CLUSTER_BROKERS="$CLUSTER_HOST:29092,$CLUSTER_HOST:29093,$CLUSTER_HOST:29094"
CLUSTER_VOTERS="1@$CLUSTER_HOST:29192,2@$CLUSTER_HOST:29193,3@$CLUSTER_HOST:29194"

log() { printf '[kafka-cluster] %s\n' "$*" >&2; }

# Prints node n's pid when its pid file names a live broker of this node's config (a reused pid
# of an unrelated process is not taken for ours).
running_node_pid() {
  local pid_file pid
  pid_file="$(node_pid_file "$1")"
  [[ -f "$pid_file" ]] || return 1
  pid="$(cat "$pid_file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka\.Kafka $(node_config_file "$1")" || return 1
  printf '%s\n' "$pid"
}

take_script_lock() {
  mkdir -p "$CLUSTER_HOME"
  exec 9>"$CLUSTER_HOME/.script.lock"
  flock 9
}

port_in_use() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Writes node n's server.properties: combined broker and controller, static three-voter quorum,
# every internal topic replicated three times with two in sync, so one broker may die.
write_node_config() {
  local n="$1" home
  home="$(node_home "$n")"
  mkdir -p "$home/data"
  cat >"$(node_config_file "$n")" <<PROPS
process.roles=broker,controller
node.id=$n
listeners=PLAINTEXT://$CLUSTER_HOST:$(client_port "$n"),CONTROLLER://$CLUSTER_HOST:$(controller_port "$n")
advertised.listeners=PLAINTEXT://$CLUSTER_HOST:$(client_port "$n"),CONTROLLER://$CLUSTER_HOST:$(controller_port "$n")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.voters=$CLUSTER_VOTERS
log.dirs=$home/data

offsets.topic.replication.factor=3
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=3
transaction.state.log.num.partitions=10
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
share.coordinator.state.topic.num.partitions=1
default.replication.factor=3
min.insync.replicas=2
# A killed broker that comes back catches up and rejoins the ISR; leadership moves back to it.
auto.leader.rebalance.enable=true
leader.imbalance.check.interval.seconds=10
replica.lag.time.max.ms=10000

auto.create.topics.enable=false
num.partitions=12
group.initial.rebalance.delay.ms=0
PROPS
}

# SIGTERM (controlled shutdown), then SIGKILL after 30 s; removes the pid file.
stop_node() {
  local n="$1" pid="$2"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "node $n still running after 30 s, sending SIGKILL"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(node_pid_file "$n")"
}
