#!/usr/bin/env bash
# The README's demo: builds arraytool, starts VictoriaMetrics and vmagent on free loopback ports
# with throw-away data folders, imports the bundled sample export through vmagent, reads back
# what landed, and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'demo: %s\n' "$*" >&2; }

# The release build links the Swift runtime into the binary, and with it FoundationNetworking,
# which needs libcurl's development link (libcurl4-openssl-dev).
missing=()
if ! command -v victoria-metrics >/dev/null || ! command -v vmagent >/dev/null; then
  missing+=(victoria-metrics)
fi
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
if ((${#missing[@]})); then
  say "installing the Debian packages ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

say "building arraytool (release)"
swift build -c release --static-swift-stdlib 2>&1 | tail -n 1 >&2
tool=.build/release/arraytool
sample=Fixtures/Storage_History_Performance_Files.zip

work=$(mktemp -d)
# The demo's spool and journal are its own: a second demo imports again, into its new server.
export ARRAYTOOL_STATE_DIR="$work/state"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_healthy() {
  for _ in $(seq 1 100); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  say "$2 did not become healthy; its log:"; cat "$3" >&2; exit 1
}

vm_port=$(free_port)
agent_port=$(free_port)
victoria-metrics -httpListenAddr="127.0.0.1:$vm_port" -storageDataPath="$work/vm" \
  -retentionPeriod=100y >"$work/vm.log" 2>&1 &
pids+=($!)
wait_healthy "http://127.0.0.1:$vm_port/health" VictoriaMetrics "$work/vm.log"
vmagent -httpListenAddr="127.0.0.1:$agent_port" \
  -remoteWrite.url="http://127.0.0.1:$vm_port/api/v1/write" \
  -remoteWrite.tmpDataPath="$work/agent" -remoteWrite.flushInterval=100ms >"$work/agent.log" 2>&1 &
pids+=($!)
wait_healthy "http://127.0.0.1:$agent_port/-/healthy" vmagent "$work/agent.log"
say "VictoriaMetrics on 127.0.0.1:$vm_port, vmagent on 127.0.0.1:$agent_port"

# --query-url lets the preflight read VictoriaMetrics' retention and the import count what landed.
say "arraytool import --url http://127.0.0.1:$agent_port --query-url http://127.0.0.1:$vm_port $sample"
status=0
"$tool" import --url "http://127.0.0.1:$agent_port" --query-url "http://127.0.0.1:$vm_port" \
  "$sample" || status=$?

# vmagent answers before the data is stored: wait until its queue is empty, then make the newest
# data searchable and count what VictoriaMetrics holds.
for _ in $(seq 1 100); do
  pending=$(curl -fsS "http://127.0.0.1:$agent_port/metrics" |
    awk '/^vmagent_remotewrite_pending_data_bytes/ {sum += $2} END {print sum + 0}')
  [ "$pending" = "0" ] && break
  sleep 0.1
done
sleep 1
curl -fsS "http://127.0.0.1:$vm_port/internal/force_flush" >/dev/null
curl -fsS "http://127.0.0.1:$vm_port/api/v1/export" -d 'match[]={SN!=""}' |
  python3 -c '
import json, sys
series = samples = 0
for line in sys.stdin:
    series += 1
    samples += len(json.loads(line)["values"])
print(f"read back from VictoriaMetrics: {series:,} series, {samples:,} samples")
'
exit "$status"
