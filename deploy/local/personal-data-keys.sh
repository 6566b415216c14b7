#!/usr/bin/env bash
# Local personal-data keys (README, "Personal data"), one file each under .local/personal-data:
#   deploy/local/personal-data-keys.sh          create them once (kept on later runs)
#   deploy/local/personal-data-keys.sh rotate   new KEK; the old one joins the previous ones
#   deploy/local/personal-data-keys.sh env      print `export NAME_FILE=...` lines for a shell
# The roles read them through DATA_KEY_ENCRYPTION_KEY_FILE, DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE
# and EMAIL_HASH_KEY_FILE (the Makefile exports them). Losing them loses every user's personal data.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.local/personal-data
KEK=$DIR/data-key-encryption-key
PREVIOUS=$DIR/data-key-encryption-keys-previous
EMAIL=$DIR/email-hash-key

new_kek() { echo "local-$(date -u +%Y%m%d%H%M%S):$(openssl rand -base64 32)"; }

create() {
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  ( umask 077
    [ -s "$KEK" ] || new_kek >"$KEK"
    [ -f "$PREVIOUS" ] || : >"$PREVIOUS"
    [ -s "$EMAIL" ] || openssl rand -base64 32 >"$EMAIL" )
}

case "${1:-create}" in
  create) create; echo "personal-data keys in $DIR (KEK $(cut -d: -f1 "$KEK"))" ;;
  rotate)
    create
    ( umask 077
      old=$(cat "$KEK")
      if [ -s "$PREVIOUS" ]; then echo "$old,$(cat "$PREVIOUS")" >"$PREVIOUS.new"; else echo "$old" >"$PREVIOUS.new"; fi
      mv "$PREVIOUS.new" "$PREVIOUS"
      sleep 1
      new_kek >"$KEK" )
    echo "new KEK $(cut -d: -f1 "$KEK"); restart the roles, then: npm run cli -- projections keys rewrap" ;;
  env)
    create
    echo "export DATA_KEY_ENCRYPTION_KEY_FILE=$PWD/$KEK"
    echo "export DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE=$PWD/$PREVIOUS"
    echo "export EMAIL_HASH_KEY_FILE=$PWD/$EMAIL" ;;
  *) echo "usage: $0 [create | rotate | env]" >&2; exit 2 ;;
esac
