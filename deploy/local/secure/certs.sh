#!/usr/bin/env bash
# Makes (once) a local CA and one server certificate for 127.0.0.1/localhost under .local/secure/tls,
# used by both the secured broker and the secured Postgres; plus a second, unrelated CA that tests
# use as "the wrong CA". Nothing here is a secret worth keeping: delete the folder to start over.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

mkdir -p "$TLS_DIR"
cd "$TLS_DIR"
if [ -s ca.crt ] && [ -s server.crt ] && [ -s server.p12 ] && [ -s other-ca.crt ]; then exit 0; fi

log "making a local CA and a server certificate in $TLS_DIR"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 3650 -subj "/CN=V-Insight local CA" 2>/dev/null
openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.crt -days 3650 -subj "/CN=Some other CA" 2>/dev/null
openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 3650 -extfile server.ext 2>/dev/null
# The broker's key store (PKCS#12, the JVM's default type), password in a file beside it.
keystore_password="$(password_file keystore)"
openssl pkcs12 -export -in server.crt -inkey server.key -certfile ca.crt -name broker \
  -out server.p12 -passout "file:$keystore_password"
rm -f server.csr server.ext ca.srl
# Postgres refuses a key file others can read.
chmod 600 server.key ca.key other-ca.key
