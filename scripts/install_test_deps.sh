#!/usr/bin/env bash
# Installs the independent peers the tests and the benchmark use, from Debian's packages:
# openssl, Python grpcio, Go with Debian's grpc-go and protoc, promtool (from prometheus, whose
# daemon is not started), systemd-analyze (from systemd). Needs root (apt-get).
set -euo pipefail
packages=(openssl python3-grpcio python3-grpc-tools golang-go golang-google-grpc-dev
  golang-goprotobuf-dev protobuf-compiler prometheus systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
