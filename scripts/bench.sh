#!/usr/bin/env bash
# The benchmark (`make bench`): builds arraytool in release mode, generates a realistic export
# and a large importer log deterministically, and measures export, import, verify and
# analyze-logs against references measured in the same run on the same machine: bare
# decompression for export, curl posting pre-rendered samples for import, sha256sum + unzip +
# gzip for verify, grep -c for analyze-logs. Every timing is the best of --runs runs; every
# import and curl run starts against a fresh VictoriaMetrics on loopback and is checked by
# counting what the server holds. Prints a table and writes it into BENCHMARKS.md between the
# markers there.
#
#   scripts/bench.sh [--size tiny|full] [--runs N] [--record | --no-record]
#
# --size tiny (for CI) takes seconds: 4 files at scale 1, a 1 MB log, one run, nothing recorded.
# --size full (the default) is the benchmark: 50 files at scale 32 (10,092,000 samples, 6,728
# series, 60 s), its 4x sibling of 200 files for the memory rows, a 200 MB log, three runs,
# recorded in BENCHMARKS.md unless --no-record.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

size=full
runs=""
record=""
while (($#)); do
  case $1 in
    --size) size=${2:-}; shift 2 || die "--size needs tiny or full" ;;
    --size=*) size=${1#*=}; shift ;;
    --runs) runs=${2:-}; shift 2 || die "--runs needs a number" ;;
    --runs=*) runs=${1#*=}; shift ;;
    --record) record=yes; shift ;;
    --no-record) record=no; shift ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
case $size in
  tiny) files=4; scale=1; log_mb=1; runs=${runs:-1} ;;
  full) files=50; scale=32; log_mb=200; runs=${runs:-3}; record=${record:-yes} ;;
  *) die "--size is tiny or full, not '$size'" ;;
esac
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive number, not '$runs'"

for command in victoria-metrics curl unzip gzip sha256sum grep python3 taskset split; do
  command -v "$command" >/dev/null ||
    die "$command is needed (Debian: victoria-metrics curl unzip coreutils python3 util-linux)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is needed (Debian package time)"

say "building arraytool (release)"
# The release build as the README gives it: the Swift runtime linked into the binary.
if ! build_log=$(swift build -c release --static-swift-stdlib 2>&1); then
  printf '%s\n' "$build_log" >&2
  die "the release build failed (it needs the Debian package libcurl4-openssl-dev)"
fi
tool="$(swift build -c release --static-swift-stdlib --show-bin-path)/arraytool"
cores=$(nproc)

work=$(mktemp -d "${TMPDIR:-/tmp}/arraytool-bench.XXXXXX")
vm_pid=""
stop_vm() {
  if [ -n "$vm_pid" ]; then
    kill "$vm_pid" 2>/dev/null || true
    wait "$vm_pid" 2>/dev/null || true
    vm_pid=""
  fi
}
cleanup() {
  stop_vm
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- inputs --------------------------------------------------------------------------------------

start=1758758400  # the generator's default first row, given so that the count query knows it
generate() {  # generate NAME FILES -> prints the number of samples
  local line
  line=$("$tool" generate --files "$2" --scale "$scale" --start "$start" "$work/$1.zip")
  [[ $line =~ ([0-9,]+)\ samples ]] || die "unexpected generate output: $line"
  echo "${BASH_REMATCH[1]//,/}"
}
say "generating the export ($files files, scale $scale) and its 4x sibling"
samples=$(generate x1 "$files")
samples4=$(generate x4 $((files * 4)))
zip_bytes=$(stat -c %s "$work/x1.zip")

say "rendering the curl reference's samples with arraytool export"
"$tool" export -o "$work/x1.jsonl" "$work/x1.zip"
split -n l/2 "$work/x1.jsonl" "$work/half."

# An importer log as the Python pipeline writes it: the bundled api.log (a run with a DNS
# outage) again and again, each copy two hours after the one before.
say "writing a $log_mb MB importer log"
python3 - Fixtures/api.log "$work/importer.log" "$log_mb" <<'EOF'
import datetime, sys
source, target, megabytes = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = []
for raw in open(source, encoding="utf-8"):
    stamp = datetime.datetime.strptime(raw[:23], "%Y-%m-%d %H:%M:%S,%f")
    lines.append((stamp, raw[23:]))
limit, written, copy = megabytes * 1_000_000, 0, 0
with open(target, "w", encoding="utf-8") as out:
    while written < limit:
        shift = datetime.timedelta(hours=2 * copy)
        chunk = "".join(
            (stamp + shift).strftime("%Y-%m-%d %H:%M:%S,") + f"{(stamp.microsecond // 1000):03d}" + rest
            for stamp, rest in lines)
        out.write(chunk)
        written += len(chunk.encode())
        copy += 1
EOF
log_bytes=$(stat -c %s "$work/importer.log")

# --- measuring -----------------------------------------------------------------------------------

declare -A best_seconds peak_kb all_seconds
# timed NAME STDOUT OK_STATUSES COMMAND... : one run under /usr/bin/time; keeps the best elapsed
# time and the highest peak RSS seen under NAME.
timed() {
  local name=$1 out=$2 ok=$3 status=0 began ended elapsed rss
  shift 3
  # /usr/bin/time gives the peak RSS; its elapsed time has only centiseconds, so the wall time
  # comes from bash's microsecond clock around it.
  began=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$work/time" "$@" >"$out" 2>"$work/stderr" || status=$?
  ended=$EPOCHREALTIME
  if [[ " $ok " != *" $status "* ]]; then
    cat "$work/stderr" >&2
    die "$name: exit status $status"
  fi
  rss=$(tail -n 1 "$work/time")
  elapsed=$(awk -v a="$began" -v b="$ended" 'BEGIN { printf "%.4f", b - a }')
  say "  $name: $elapsed s, $((rss / 1024)) MB"
  record "$name" "$elapsed" "$rss"
}
# record NAME SECONDS [RSS_KB]: keeps SECONDS among the runs of NAME, and the RSS if higher.
record() {
  local name=$1 elapsed=$2 rss=${3:-}
  all_seconds[$name]="${all_seconds[$name]:-}${all_seconds[$name]:+ }$elapsed"
  if [ -z "${best_seconds[$name]:-}" ] || awk -v a="$elapsed" -v b="${best_seconds[$name]}" \
    'BEGIN { exit !(a < b) }'; then
    best_seconds[$name]=$elapsed
  fi
  [ -n "$rss" ] || return 0
  if [ -z "${peak_kb[$name]:-}" ] || ((rss > ${peak_kb[$name]})); then peak_kb[$name]=$rss; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# A new VictoriaMetrics on a free loopback port with an empty data folder, so that every import
# run meets the same server.
fresh_vm() {
  stop_vm
  rm -rf "$work/vm" "$work/state"
  vm_port=$(free_port)
  vm_url="http://127.0.0.1:$vm_port"
  victoria-metrics -httpListenAddr="127.0.0.1:$vm_port" -storageDataPath="$work/vm" \
    -retentionPeriod=100y >"$work/vm.log" 2>&1 &
  vm_pid=$!
  for _ in $(seq 1 200); do
    curl -fsS "$vm_url/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  cat "$work/vm.log" >&2
  die "VictoriaMetrics did not start"
}
# Fails unless the server holds exactly EXPECTED samples (what the export holds).
check_landed() {
  local expected=$1 name=$2 days=$(($3 * 30 / 1440 + 1)) found
  curl -fsS "$vm_url/internal/force_flush" >/dev/null
  # The window reaches one day before the first row: a lookbehind window is open on the left.
  found=$(curl -fsS "$vm_url/api/v1/query" --data-urlencode "time=$((start + days * 86400))" \
    --data-urlencode "query=sum(count_over_time({SN!=\"\"}[$((days + 1))d]))" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
  [ "$found" = "$expected" ] || die "$name: VictoriaMetrics holds $found samples, not $expected"
}

export ARRAYTOOL_STATE_DIR="$work/state"
import_flags=(--force)
if "$tool" import --help | grep -q -- --no-verify-landed; then
  import_flags+=(--no-verify-landed)
fi
preflight=no
if "$tool" import --help | grep -q -- --no-preflight; then preflight=yes; fi
has_verify=no
if "$tool" verify --help >/dev/null 2>&1; then has_verify=yes; fi

# import_run NAME ZIP SAMPLES FILES ARGS...
import_run() {
  local name=$1 zip=$2 expected=$3 count=$4
  shift 4
  fresh_vm
  timed "$name" "$work/import.out" 0 "$tool" import --url "$vm_url" "$@" "$zip"
  check_landed "$expected" "$name" "$count"
}
curl_run() {  # curl_run NAME FILE...: posts the files at once, one curl each
  local name=$1
  shift
  fresh_vm
  local script='pids=()
    for f in "$@"; do curl -fsS --data-binary "@$f" "$0/api/v1/import" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p" || exit 1; done'
  timed "$name" /dev/null 0 bash -c "$script" "$vm_url" "$@"
  check_landed "$samples" "$name" "$files"
}

# The landed check after a whole import, against reading the same samples back with curl: the
# check's own time comes from the report (--json), the server's from a curl of /api/v1/export
# of every series, right after, to the same server.
landed=no
if [ $preflight = yes ] && "$tool" import --help | grep -q -- --no-verify-landed; then landed=yes; fi
landed_run() {
  import_run import_checked "$work/x1.zip" "$samples" "$files" --force --json
  local seconds
  seconds=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["landed"]["seconds"])' \
    "$work/import.out" 2>/dev/null) || { landed=no; return 0; }
  say "  landed check: $seconds s"
  record landed "$seconds"
  timed export_read /dev/null 0 curl -fsS "$vm_url/api/v1/export" -d 'match[]={SN!=""}' \
    -d "start=$((start - 86400))" -d "end=$((start + 400 * 86400))"
}

for run in $(seq 1 "$runs"); do
  say "run $run of $runs"
  timed export_1 /dev/null 0 taskset -c 0 "$tool" export -j 1 --format jsonl "$work/x1.zip"
  timed inflate_1 /dev/null 0 taskset -c 0 \
    bash -c 'unzip -p "$0" "*.tgz" | gzip -dc' "$work/x1.zip"
  timed export_n /dev/null 0 "$tool" export -j "$cores" --format jsonl "$work/x1.zip"
  timed inflate_n /dev/null 0 bash -c 'unzip -p "$0" "*.tgz" | gzip -dc' "$work/x1.zip"

  curl_run curl_1 "$work/x1.jsonl"
  curl_run curl_2 "$work/half.aa" "$work/half.ab"
  if [ $preflight = yes ]; then
    import_run import_plain "$work/x1.zip" "$samples" "$files" "${import_flags[@]}" --no-preflight
    import_run import_preflight "$work/x1.zip" "$samples" "$files" "${import_flags[@]}"
  else
    import_run import_plain "$work/x1.zip" "$samples" "$files" "${import_flags[@]}"
  fi
  if [ $landed = yes ]; then landed_run; fi
  import_run import_x4 "$work/x4.zip" "$samples4" $((files * 4)) "${import_flags[@]}"
  # The rows below use no server. One left running goes on merging what it was sent for
  # seconds, on the cores the measured commands share with their one-core references.
  stop_vm

  if [ $has_verify = yes ]; then
    timed verify_x1 /dev/null 0 "$tool" verify "$work/x1.zip"
    timed verify_x4 /dev/null 0 "$tool" verify "$work/x4.zip"
  fi
  timed verify_tools /dev/null 0 bash -c \
    'sha256sum "$0" && unzip -tq "$0" && unzip -p "$0" "*.tgz" | gzip -t' "$work/x1.zip"

  timed logs "$work/stdout" "0 1" "$tool" analyze-logs "$work/importer.log"
  # Not to /dev/null: GNU grep notices that and stops at the first match.
  timed grep "$work/stdout" 0 grep -c ERROR "$work/importer.log"
done
stop_vm

# --- the table -----------------------------------------------------------------------------------

rows="$work/rows.tsv"
: >"$rows"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
rate() { calc '%.2f M samples/s' "$1 / $2 / 1e6"; }
mbps() { calc '%.0f MB/s' "$1 / $2 / 1e6"; }
mb() { calc '%.0f MB' "$1 / 1024"; }
ratio() { calc '%.2f' "$1 / $2"; }
yes_if() { if awk "BEGIN { exit !($1) }"; then echo yes; else echo no; fi; }

s=${best_seconds[export_1]}; r=${best_seconds[inflate_1]}
row "export jsonl, 1 core" "$(rate "$samples" "$s")" "$(rate "$samples" "$r") (unzip -p | gzip -dc)" \
  "$(ratio "$r" "$s")" "≥ 20 M samples/s" "$(yes_if "$samples / $s >= 20e6")"
s=${best_seconds[export_n]}; r=${best_seconds[inflate_n]}
row "export jsonl, $cores cores" "$(rate "$samples" "$s")" "$(rate "$samples" "$r") (unzip -p | gzip -dc)" \
  "$(ratio "$r" "$s")" "—" "—"
export_kb=$((peak_kb[export_1] > peak_kb[export_n] ? peak_kb[export_1] : peak_kb[export_n]))
row "export peak RSS" "$(mb "$export_kb")" "—" "—" "< 100 MB" \
  "$(yes_if "$export_kb < 102400")"

c1=${best_seconds[curl_1]}; c2=${best_seconds[curl_2]}
if awk "BEGIN { exit !($c2 < $c1) }"; then ceiling=$c2; how="2 curls of halves"; else
  ceiling=$c1; how="1 curl"; fi
import_row() {  # import_row LABEL NAME
  local s=${best_seconds[$2]}
  row "$1" "$(rate "$samples" "$s")" "$(rate "$samples" "$ceiling") ($how)" \
    "$(ratio "$ceiling" "$s")" "≥ 0.8" "$(yes_if "$ceiling / $s >= 0.8")"
}
# The ratio of each run on its own (the faster curl of that run over the import of that run):
# with other work on the machine the best times of a row may come from different runs.
paired() {
  paste -d ' ' <(tr ' ' '\n' <<<"${all_seconds[curl_1]}") \
    <(tr ' ' '\n' <<<"${all_seconds[curl_2]}") <(tr ' ' '\n' <<<"${all_seconds[$1]}") |
    awk '{ c = ($2 < $1) ? $2 : $1; printf "%s%.2f", (NR > 1 ? ", " : ""), c / $3 }'
}
if [ $preflight = yes ]; then
  import_row "import, no preflight" import_plain
  import_row "import, with preflight" import_preflight
else
  import_row "import" import_plain
  row "import, with preflight" "not in this build" "—" "—" "≥ 0.8" "—"
fi

if [ $landed = yes ]; then
  s=${best_seconds[landed]}; r=${best_seconds[export_read]}
  row "landed check after import" "$(rate "$samples" "$s")" \
    "$(rate "$samples" "$r") (curl /api/v1/export)" "$(ratio "$r" "$s")" "—" "—"
fi

v=${best_seconds[verify_tools]}
if [ $has_verify = yes ]; then
  s=${best_seconds[verify_x1]}
  row "verify (SHA-256 manifest)" "$(mbps "$zip_bytes" "$s")" \
    "$(mbps "$zip_bytes" "$v") (sha256sum; unzip -t; unzip -p | gzip -t)" "$(ratio "$v" "$s")" \
    "≥ 1.0" "$(yes_if "$v / $s >= 1")"
else
  row "verify (SHA-256 manifest)" "not in this build" \
    "$(mbps "$zip_bytes" "$v") (sha256sum; unzip -t; unzip -p | gzip -t)" "—" "≥ 1.0" "—"
fi

s=${best_seconds[logs]}; r=${best_seconds[grep]}
row "analyze-logs" "$(mbps "$log_bytes" "$s")" "$(mbps "$log_bytes" "$r") (grep -c ERROR)" \
  "$(ratio "$r" "$s")" "≥ 0.5" "$(yes_if "$r / $s >= 0.5")"

flat_row() {  # flat_row LABEL NAME_1X NAME_4X
  local one=${peak_kb[$2]} four=${peak_kb[$3]}
  row "$1 peak RSS, 4x / 1x" "$(mb "$four") (4x)" "$(mb "$one") (1x)" "$(ratio "$four" "$one")" \
    "< 100 MB, ≤ 1.10" "$(yes_if "$four < 102400 && $one < 102400 && $four <= 1.10 * $one")"
}
if [ $preflight = yes ]; then flat_row import import_preflight import_x4; else
  flat_row import import_plain import_x4; fi
if [ $has_verify = yes ]; then flat_row verify verify_x1 verify_x4; fi


table() {  # table text|markdown
  python3 - "$rows" "$1" <<'EOF'
import sys
head = ["row", "ours", "reference", "ratio", "target", "met"]
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8")]
if sys.argv[2] == "markdown":
    rows = [[cell.replace("|", "\\|") for cell in row] for row in rows]
widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
def line(cells):
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
print(line(head))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print(line(r))
EOF
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit with uncommitted changes"
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
memory=$(free -g | awk '/^Mem:/ { print $2 }')
describe() {
  cat <<EOF
- Command: \`scripts/bench.sh --size $size --runs $runs\` (\`make bench\`)
- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit
- Machine: $cores cores ($cpu), $memory GiB memory (\`free -g\`), $(uname -sr)
- Input: $samples samples in $files files at scale $scale ($((zip_bytes / 1000000)) MB zip);
  the 4x export $samples4 samples; an importer log of $((log_bytes / 1000000)) MB
- Times are the best of $runs runs, peak RSS the highest of them. A ratio is ours / reference
  in speed (reference time / our time), 4x / 1x for memory.
- Every import and curl run starts against a fresh VictoriaMetrics on loopback and is checked
  by counting the samples it holds afterwards. The 4x export went through import at
  $(rate "$samples4" "${best_seconds[import_x4]}").
- Import / curl ceiling run by run: $paired_ratios.
EOF
}
paired_ratios="without preflight $(paired import_plain)"
if [ $preflight = yes ]; then paired_ratios+="; with preflight $(paired import_preflight)"; fi
# Every run's time, for a reader who wants to see the spread behind the best.
runs_table() {
  printf '| measurement | seconds, run by run | peak RSS |\n|---|---|---|\n'
  for name in $(printf '%s\n' "${!all_seconds[@]}" | sort); do
    local peak="—"
    if [ -n "${peak_kb[$name]:-}" ]; then peak=$(mb "${peak_kb[$name]}"); fi
    printf '| %s | %s | %s |\n' "$name" "${all_seconds[$name]}" "$peak"
  done
}

printf '\n%s\n\n%s\n' "$(describe)" "$(table text)"

if [ "$record" = yes ]; then
  report=$(printf '%s\n\n%s\n\n%s\n' "$(describe)" "$(table markdown)" "$(runs_table)")
  python3 - BENCHMARKS.md "$report" <<'EOF'
import sys
path, report = sys.argv[1], sys.argv[2]
begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
text = open(path, encoding="utf-8").read()
if begin not in text or end not in text:
    sys.exit(f"bench: {path} has no {begin} … {end} markers")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w", encoding="utf-8").write(f"{head}{begin}\n{report}\n{end}{tail}")
EOF
  say "results written to BENCHMARKS.md"
fi
