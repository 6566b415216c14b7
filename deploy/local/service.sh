#!/usr/bin/env bash
# Starts or stops the all-in-one service in the background, tracked by a pid file.
set -euo pipefail
cd "$(dirname "$0")/../.."
LOCAL=.local
PID_FILE=$LOCAL/service.pid
LOG_FILE=$LOCAL/service.log
mkdir -p "$LOCAL"

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

start() {
  local port=${1:-3000}
  if running; then echo "service already running (pid $(cat "$PID_FILE"))"; return; fi
  # The personal-data keys under .local (created once), unless the environment names its own.
  if [ -z "${DATA_KEY_ENCRYPTION_KEY:-}${DATA_KEY_ENCRYPTION_KEY_FILE:-}" ]; then eval "$(deploy/local/personal-data-keys.sh env)"; fi
  # No load balancer routes to a local process: stop at once rather than after the drain delay.
  HTTP_PORT=$port SHUTDOWN_DRAIN_DELAY_MS=${SHUTDOWN_DRAIN_DELAY_MS:-0} nohup node dist/apps/all-in-one/src/main.js >>"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  local started=$SECONDS
  until curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; do
    if ! running; then echo "service exited during start-up; last lines of $LOG_FILE:"; tail -n 40 "$LOG_FILE"; rm -f "$PID_FILE"; exit 1; fi
    if (( SECONDS - started > 90 )); then echo "service not live after 90 s; see $LOG_FILE"; stop; exit 1; fi
    sleep 0.5
  done
  echo "service live on port $port after $(( SECONDS - started )) s (pid $(cat "$PID_FILE"))"
}

stop() {
  if ! running; then rm -f "$PID_FILE"; echo "service not running"; return; fi
  local pid; pid=$(cat "$PID_FILE")
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "service did not stop in 30 s, killing"; kill -KILL "$pid"; fi
  rm -f "$PID_FILE"
  echo "service stopped"
}

case "${1:-}" in
  start) start "${2:-3000}" ;;
  stop) stop ;;
  *) echo "usage: $0 start [port] | stop" >&2; exit 2 ;;
esac
