#!/usr/bin/env bash
# Answers unchanged: run the same command lines with an old and a new
# snapscope binary on each workspace and diff their output.
#
#   bench/answers_diff.sh OLD_BIN NEW_BIN WS...
#
# The new binary runs twice per line, once parsing every file (--no-cache)
# and once from the index cache it wrote, so both paths are compared with
# the old. Exit codes are compared too. What differs between two runs of
# the same binary (elapsed times, the time of a check, the build id, a
# scan's cache counts) is blanked before the diff. Exit 1 on any difference.
set -uo pipefail
set -f # "metrics --series *" is a pattern for snapscope, not for the shell

old=${1:?usage: bench/answers_diff.sh OLD_BIN NEW_BIN WS...}
new=${2:?}
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

normalize() {
    python3 -c '
import json, re, sys
VOLATILE = {"elapsed_ms", "checked_at", "build", "build_id", "version", "from_cache", "parsed", "bytes_read"}
def clean(v):
    if isinstance(v, dict):
        return {k: ("~" if k in VOLATILE else clean(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [clean(x) for x in v]
    return v
text = sys.stdin.read()
try:
    print(json.dumps(clean(json.loads(text)), indent=1, sort_keys=False))
except ValueError:
    text = re.sub(r"(in|took) [0-9.]+ ?m?s", r"\1 ~", text)
    text = re.sub(r"(?m)^(snapscope_build_info|snapscope_index_scan_duration_seconds|snapscope_index_updated_timestamp_seconds)\b.*$", r"\1 ~", text)
    print(text)
'
}

run() { # run BIN OUT ARGS...
    local bin=$1 out=$2
    shift 2
    "$bin" "$@" >"$out.raw" 2>"$out.err"
    local code=$?
    normalize <"$out.raw" >"$out"
    echo "exit $code" >>"$out"
}

for ws in "$@"; do
    lines=(
        "projects --json"
        "snapshots --json"
        "check --json"
        "scan --json"
        "metrics --series *"
    )
    # Per project: its test history; the newest and the oldest snapshot in
    # full (every series value in order); the two compared.
    projects=$("$new" --no-cache --tz utc projects --json "$ws" |
        python3 -c 'import json,sys; [print(p["id"]) for p in json.load(sys.stdin)]' 2>/dev/null)
    for p in $projects; do
        lines+=("tests --json --project $p")
        ids=$("$new" --no-cache --tz utc snapshots --json --project "$p" "$ws" |
            python3 -c 'import json,sys; s=json.load(sys.stdin); [print(x["id"]) for x in (s[:1] + s[-1:])]' 2>/dev/null)
        for id in $ids; do
            lines+=("show --json SNAP:$id")
        done
        set -- $ids
        if [ $# -ge 2 ]; then
            lines+=("compare --json SNAP:$1 SNAP:$2")
        fi
    done
    n=0
    for line in "${lines[@]}"; do
        n=$((n + 1))
        # shellcheck disable=SC2206
        words=($line)
        cmd=${words[0]}
        rest=()
        snaps=()
        for w in "${words[@]:1}"; do
            case $w in
            SNAP:*) snaps+=("${w#SNAP:}") ;;
            *) rest+=("$w") ;;
            esac
        done
        args=("$cmd" "${rest[@]}" "$ws" "${snaps[@]}")
        run "$old" "$tmp/old" --no-cache --tz utc "${args[@]}"
        run "$new" "$tmp/new" --no-cache --tz utc "${args[@]}"
        XDG_CACHE_HOME=$tmp/cache "$new" --tz utc "${args[@]}" >/dev/null 2>&1
        XDG_CACHE_HOME=$tmp/cache run "$new" "$tmp/warm" --tz utc "${args[@]}"
        for side in new warm; do
            if ! diff -q "$tmp/old" "$tmp/$side" >/dev/null; then
                echo "DIFFERS ($side): $ws: ${args[*]}"
                diff "$tmp/old" "$tmp/$side" | head -20
                status=1
            fi
        done
    done
    echo "$ws: $n command lines compared (old, new uncached, new from its cache)"
done
exit $status
