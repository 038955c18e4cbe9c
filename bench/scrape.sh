#!/usr/bin/env bash
# Scrape latency of `snapscope serve` (issue 17): start it on WS, wait for
# the first scan, then time N sequential GET /metrics with curl and print
# the median, 99th percentile and maximum, and the size of one answer.
#   bench/scrape.sh /tmp/ws10k [N] [extra serve args...]
# Uses target/release/snapscope (cargo build --release) and loopback only.
set -euo pipefail
ws=${1:?usage: bench/scrape.sh WS [N] [serve args...]}
n=${2:-200}
shift $(( $# >= 2 ? 2 : 1 ))
bin=${SNAPSCOPE_BIN:-target/release/snapscope}
out=$(mktemp)
"$bin" serve "$ws" --listen 127.0.0.1:0 "$@" >"$out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 600); do grep -q http:// "$out" && break; sleep 0.1; done
addr=$(grep -o 'http://[^ ]*' "$out" | head -1)
start=$(date +%s.%N)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$addr")" = 200 ]; do sleep 0.05; done
ready=$(date +%s.%N)
echo "first scan done (answering 200) after $(echo "$ready - $start" | bc) s of polling"
echo "answer: $(curl -s "$addr" | wc -c) bytes, $(curl -s "$addr" | grep -c '^snapscope_') samples"
for _ in $(seq "$n"); do curl -s -o /dev/null -w '%{time_total}\n' "$addr"; done | sort -n >"$out.t"
awk -v n="$n" '{ a[NR] = $1 } END {
  printf "%d scrapes: median %.2f ms, p99 %.2f ms, max %.2f ms\n",
    n, a[int(n / 2) + 1] * 1000, a[int(n * 0.99)] * 1000, a[n] * 1000 }' "$out.t"
rm -f "$out.t"
