#!/usr/bin/env bash
# One row of the index figures of a workspace, measured in one run against
# the floor (bench/README.md, "Heavy workspaces"):
#
#   bench/index_table.sh WS [RUNS]
#
# Needs `cargo build --release --bins --examples` first and GNU time. Prints
# each figure as it is measured, then one markdown table row. RUNS (default
# 3) runs of each timed figure; the best and the worst are printed (the floor
# alternates with the scan, and the best of each makes the ratio). The
# page cache is warmed first (every figure is of a warm page cache), and
# each mode gets its own empty cache folder under a temporary directory.
set -euo pipefail

ws=${1:?usage: bench/index_table.sh WS [RUNS]}
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/target/release/snapscope
measure=$here/target/release/examples/measure
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

field() { grep -o "$1 [0-9.]*" | head -1 | awk '{print $2}'; }
# Wall seconds, CPU seconds and max RSS (KB) of a command, via GNU time.
timed() { /usr/bin/time -f '%e %U %S %M' -o "$tmp/t" "$@" >/dev/null 2>&1; awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$tmp/t"; }
range() { sort -n | awk 'NR==1{lo=$1} {hi=$1} END{ if (lo==hi) printf "%s", lo; else printf "%s–%s", lo, hi }'; }

echo "warming the page cache of $ws" >&2
find -L "$ws" -name '*.json' -print0 | xargs -0 cat >/dev/null

floor=$("$measure" "$ws" --floor)
floor_ms=$(echo "$floor" | field elapsed_ms)
bytes=$(echo "$floor" | field bytes)
echo "floor: $floor" >&2

# Steady state after indexing: VmRSS once the index is built.
nocache=$(XDG_CACHE_HOME=$tmp/m0 "$measure" "$ws")
points=$(echo "$nocache" | field series_values)
snapshots=$(echo "$nocache" | field snapshots)
rss_nocache=$(echo "$nocache" | grep -o 'VmRSS [0-9]*' | awk '{print $2}')
echo "no cache: $nocache" >&2

# The scan alternates with the floor (the machine's speed wanders): the
# ratio is of the best floor over the best scan.
scan_wall=()
scan_cpu=()
floors=("$floor_ms")
for i in $(seq "$runs"); do
    read -r w c m < <(timed "$bin" --no-cache --tz utc scan "$ws")
    scan_wall+=("$w")
    scan_cpu+=("$c")
    if [ "$i" -lt "$runs" ]; then
        floors+=("$("$measure" "$ws" --floor | field elapsed_ms)")
    fi
done
floor_ms=$(printf '%s\n' "${floors[@]}" | sort -n | head -1)
best_scan=$(printf '%s\n' "${scan_wall[@]}" | sort -n | head -1)
ratio=$(awk -v f="$floor_ms" -v s="$best_scan" 'BEGIN{printf "%.2f", f / 1000 / s}')
echo "floors: ${floors[*]} ms; scan: ${scan_wall[*]} s wall, ${scan_cpu[*]} s CPU; best floor/best scan $ratio" >&2

# Cold `projects` writing the cache, alternating with `--no-cache projects`
# (the same work but the cache write): what the write adds, best over best.
cold_wall=()
cold_peak=()
plain_wall=()
for i in $(seq "$runs"); do
    read -r w c m < <(XDG_CACHE_HOME=$tmp/cold$i timed "$bin" --tz utc projects "$ws")
    cold_wall+=("$w")
    cold_peak+=("$m")
    read -r w c m < <(XDG_CACHE_HOME=$tmp/plain timed "$bin" --no-cache --tz utc projects "$ws")
    plain_wall+=("$w")
done
best_cold=$(printf '%s\n' "${cold_wall[@]}" | sort -n | head -1)
best_plain=$(printf '%s\n' "${plain_wall[@]}" | sort -n | head -1)
write_adds=$(awk -v c="$best_cold" -v p="$best_plain" 'BEGIN{printf "%+.0f%%", (c / p - 1) * 100}')
echo "cold projects ${cold_wall[*]} s, --no-cache projects ${plain_wall[*]} s: the cache write adds $write_adds" >&2
cache_file=$(find "$tmp/cold1" -name '*.idx' | head -1)
cache_bytes=$(stat -c %s "$cache_file")
cold_steady=$(XDG_CACHE_HOME=$tmp/mc "$measure" "$ws" --cache | grep -o 'VmRSS [0-9]*' | awk '{print $2}')
echo "cold: ${cold_wall[*]} s, peak ${cold_peak[*]} KB, steady $cold_steady KB; cache $cache_bytes B" >&2

# The binary's own peak over its own steady state: VmHWM and VmRSS read
# from /proc as it calls exit_group (index built, cache written, output
# printed), under gdb when it is installed. The largest of RUNS runs.
own="n/a"
if command -v gdb >/dev/null; then
    cat >"$tmp/gdb" <<'GDB'
catch syscall exit_group
run
python import gdb; print(open('/proc/%d/status' % gdb.selected_inferior().pid).read())
kill
GDB
    own=$(for i in $(seq "$runs"); do
        XDG_CACHE_HOME=$tmp/own$i gdb -q -batch -x "$tmp/gdb" --args "$bin" --tz utc projects "$ws" 2>&1 |
            awk '/^VmHWM/{h=$2} /^VmRSS/{r=$2} END{printf "%.2f\n", h/r}'
    done | sort -n | tail -1)
    echo "cold, the binary's VmHWM / VmRSS at exit: $own (largest of $runs)" >&2
fi

warm_wall=()
warm_rss=()
for _ in $(seq "$runs"); do
    read -r w c m < <(XDG_CACHE_HOME=$tmp/cold1 timed "$bin" --tz utc projects "$ws")
    warm_wall+=("$w")
done
warm_steady=$(XDG_CACHE_HOME=$tmp/mc "$measure" "$ws" --cache | grep -o 'VmRSS [0-9]*' | awk '{print $2}')
echo "warm: ${warm_wall[*]} s, steady $warm_steady KB" >&2

per_point() { awk -v kb="$1" -v p="$points" 'BEGIN{printf "%.1f", (kb * 1024 - 40e6) / p}'; }
max_peak=$(printf '%s\n' "${cold_peak[@]}" | sort -n | tail -1)
printf '| %s | %s | %.0f MB | %s | %.2f s | %s s (%s s CPU) | **%s×** | %.0f MB: %s B/pt | %s s (cache write %s), peak %.0f MB (%.2f× steady %.0f MB; %s× its own RSS at exit) | %s s, %.0f MB: %s B/pt | %.1f MB: %.1f B/pt |\n' \
    "$(basename "$ws")" "$snapshots" "$bytes" "$points" "$(awk -v f="$floor_ms" 'BEGIN{print f/1000}')" \
    "$(printf '%s\n' "${scan_wall[@]}" | range)" "$(printf '%s\n' "${scan_cpu[@]}" | range)" "$ratio" \
    "$(awk -v k="$rss_nocache" 'BEGIN{print k/1024}')" "$(per_point "$rss_nocache")" \
    "$(printf '%s\n' "${cold_wall[@]}" | range)" "$write_adds" "$(awk -v k="$max_peak" 'BEGIN{print k/1024}')" \
    "$(awk -v a="$max_peak" -v b="$cold_steady" 'BEGIN{print a/b}')" "$(awk -v k="$cold_steady" 'BEGIN{print k/1024}')" "$own" \
    "$(printf '%s\n' "${warm_wall[@]}" | range)" "$(awk -v k="$warm_steady" 'BEGIN{print k/1024}')" "$(per_point "$warm_steady")" \
    "$(awk -v b="$cache_bytes" 'BEGIN{print b/1e6}')" "$(awk -v b="$cache_bytes" -v p="$points" 'BEGIN{print b/p}')"
