#!/usr/bin/env bash
# Debian's Chromium for the browser test of GET /v1/stream (test/read-api/stream-browser.e2e-spec.ts,
# driven by playwright-core, which never downloads browsers of its own). Installed once, like the
# broker's jars: apt-get as root, or through sudo where that works without a password.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "[chromium] $(chromium --version 2>/dev/null || echo present)"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "[chromium] not installed and neither root nor password-less sudo: install Debian's chromium package" >&2
  exit 1
fi
echo "[chromium] installing Debian's chromium"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
echo "[chromium] $(chromium --version)"
