#!/usr/bin/env bash
# Stops the local cluster's brokers by their pids (all, or the nodes named: `stop.sh 2`).
# `stop.sh --reset` also deletes their data.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

reset=false
nodes=()
for arg in "$@"; do
  if [[ "$arg" == --reset ]]; then reset=true; else nodes+=("$arg"); fi
done
[[ ${#nodes[@]} -gt 0 ]] || nodes=("${CLUSTER_NODES[@]}")
take_script_lock

for n in "${nodes[@]}"; do
  if pid="$(running_node_pid "$n")"; then
    log "stopping node $n (pid $pid)"
    stop_node "$n" "$pid"
  else
    rm -f "$(node_pid_file "$n")"
  fi
  if $reset; then rm -rf "$(node_home "$n")"; fi
done
if $reset && [[ ${#nodes[@]} -eq ${#CLUSTER_NODES[@]} ]]; then rm -f "$CLUSTER_ID_FILE"; fi
log "stopped"
