#!/usr/bin/env bash
# Compare snapscope with Evidently's own UI server on the same generated
# legacy workspace (Evidently 0.4.40 reads legacy snapshots only).
#
#   bench/compare_evidently.sh [SNAPSHOTS] [PROJECTS]     (default 1000 4)
#
# Needs python3 (with venv) and network access to PyPI on the first run.
# Not run by CI. Steps:
#   1. a venv in $BENCH_DIR/venv with evidently==0.4.40, pandas<3, scikit-learn==1.5.2
#   2. a legacy workspace from examples/gen_workspace
#   3. `evidently ui --workspace WS --host 127.0.0.1 --port $PORT`; once it
#      answers, time GET /api/projects (project list) and
#      GET /api/projects/<id>/dashboard (one project's dashboard)
#   4. time `snapscope projects WS` and `snapscope trend WS KEY --project ID`,
#      cold (--no-cache) and warm (cache filled by the previous run)
#   5. print the times and the ratios Evidently / snapscope
# Evidently's server is started fresh, so its times include its own loading
# of the workspace (it reads every snapshot when a project is first opened).
set -euo pipefail

N=${1:-1000}
P=${2:-4}
PORT=${PORT:-8000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/snapscope-bench}
WS="$BENCH_DIR/legacy-ws-$N"
VENV="$BENCH_DIR/venv"
mkdir -p "$BENCH_DIR"

now_ms() { date +%s%3N; }

if [ ! -x "$VENV/bin/evidently" ]; then
    echo "== installing evidently 0.4.40 into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q evidently==0.4.40 'pandas<3' 'scikit-learn==1.5.2'
fi

echo "== building snapscope and the generator"
(cd "$HERE" && cargo build -q --release --bin snapscope --example gen_workspace)
SNAPSCOPE="$HERE/target/release/snapscope"

if [ ! -d "$WS" ]; then
    echo "== generating $N legacy snapshots in $P projects"
    "$HERE/target/release/examples/gen_workspace" "$WS" --snapshots "$N" --projects "$P" --generation legacy
fi
# The cache skips files modified in the last 2 seconds.
sleep 2

PID=$(ls "$WS" | head -n 1)
KEY='DatasetDriftMetric{drift_share=0.5}.share_of_drifted_columns'

echo "== evidently ui on 127.0.0.1:$PORT"
LOG="$BENCH_DIR/evidently-ui.log"
T0=$(now_ms)
"$VENV/bin/evidently" ui --workspace "$WS" --host 127.0.0.1 --port "$PORT" >"$LOG" 2>&1 &
EV=$!
trap 'kill $EV 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
    if curl -fs "http://127.0.0.1:$PORT/api/version" >/dev/null 2>&1 \
        || curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 $EV 2>/dev/null; then
        echo "evidently ui exited; log:"; cat "$LOG"; exit 1
    fi
    sleep 0.1
done
T_UP=$(( $(now_ms) - T0 ))

time_get() { # URL -> ms (fails on HTTP errors)
    local t0 t1
    t0=$(now_ms)
    curl -fsS -o /dev/null "$1"
    t1=$(now_ms)
    echo $(( t1 - t0 ))
}
EV_PROJECTS=$(time_get "http://127.0.0.1:$PORT/api/projects")
EV_DASH=$(time_get "http://127.0.0.1:$PORT/api/projects/$PID/dashboard")
EV_DASH2=$(time_get "http://127.0.0.1:$PORT/api/projects/$PID/dashboard")
kill $EV 2>/dev/null || true
wait $EV 2>/dev/null || true
trap - EXIT

time_cmd() { # command... -> ms
    local t0 t1
    t0=$(now_ms)
    "$@" >/dev/null
    t1=$(now_ms)
    echo $(( t1 - t0 ))
}
SS_PROJECTS_COLD=$(time_cmd "$SNAPSCOPE" projects "$WS" --no-cache)
SS_TREND_COLD=$(time_cmd "$SNAPSCOPE" trend "$WS" "$KEY" --project "$PID" --no-cache)
time_cmd "$SNAPSCOPE" projects "$WS" >/dev/null   # fill the cache
SS_PROJECTS_WARM=$(time_cmd "$SNAPSCOPE" projects "$WS")
SS_TREND_WARM=$(time_cmd "$SNAPSCOPE" trend "$WS" "$KEY" --project "$PID")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; printf "%.1f", a / b }'; }
cat <<EOF

workspace: $WS ($N legacy snapshots, $P projects)
evidently 0.4.40 ui: server up after ${T_UP} ms
  GET /api/projects                      ${EV_PROJECTS} ms
  GET /api/projects/<id>/dashboard       ${EV_DASH} ms (first), ${EV_DASH2} ms (again)
snapscope:
  projects   cold ${SS_PROJECTS_COLD} ms   warm ${SS_PROJECTS_WARM} ms
  trend      cold ${SS_TREND_COLD} ms   warm ${SS_TREND_WARM} ms
ratios (evidently / snapscope):
  project list:  vs cold $(ratio "$EV_PROJECTS" "$SS_PROJECTS_COLD")x   vs warm $(ratio "$EV_PROJECTS" "$SS_PROJECTS_WARM")x
  dashboard vs trend (first request): vs cold $(ratio "$EV_DASH" "$SS_TREND_COLD")x   vs warm $(ratio "$EV_DASH" "$SS_TREND_WARM")x
EOF
