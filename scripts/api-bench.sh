#!/usr/bin/env bash
# API throughput (SPEC §11): starts the release build on a temporary data dir (embedded
# SQLite), creates a local-folder source and three jobs, then loads
# `GET /api/v1/automation/jobs` with wrk (apt-get install wrk) and prints wrk's report.
# Usage: scripts/api-bench.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-15}
connections=${2:-32}
binary=${RECFLOW_BIN:-${CARGO_TARGET_DIR:-target}/release/recflow}
[ -x "$binary" ] || cargo build --quiet --release -p recflow
. scripts/fresh-server.sh
api() { # METHOD PATH JSON
    curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' "http://127.0.0.1:$port$2" -d "$3"
}

mkdir -p "$data/sources/bench"
source_id=$(api POST /api/v1/input-sources \
    '{"name": "Bench folder", "type": "local_folder", "config": {"path": "bench"}}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for schedule in \
    '{"type": "time_of_day", "time": "06:00", "timezone": "UTC"}' \
    '{"type": "weekdays", "days": [0, 2, 4], "time": "09:30", "timezone": "America/New_York"}' \
    '{"type": "hours", "hours": 6, "timezone": "Europe/Berlin"}'; do
    api POST /api/v1/automation/jobs \
        "{\"name\": \"Bench job $RANDOM\", \"source_id\": \"$source_id\", \"schedule\": $schedule}" >/dev/null
done

wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/automation/jobs"
