#!/usr/bin/env bash
# The README quickstart as one script. With `recflow serve` running (embedded defaults), it
# generates sample recordings, creates a folder source, an output preset, a template and an
# automation job, previews a run (dry run), runs it, and shows the run and the recordings with
# their explanations. Uses only curl, python3 and the recflow CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

export RECFLOW_URL=${RECFLOW_URL:-http://127.0.0.1:8080}
data_dir=${RECFLOW_DATA_DIR:-./recflow-data}
export RECFLOW_TOKEN=${RECFLOW_TOKEN:-$(cat "$data_dir/initial-admin-token")}
recflow=${RECFLOW_BIN:-${CARGO_TARGET_DIR:-target}/release/recflow}
[ -x "$recflow" ] || recflow="cargo run --quiet --release --"

api() { # METHOD PATH [JSON]
    curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $RECFLOW_TOKEN" \
        -H 'content-type: application/json' ${3:+-d "$3"} "$RECFLOW_URL$2"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# A suffix keeps names unique, so the script can run again on the same installation.
run=$(date +%H%M%S)
folder="quickstart-$run"
step "sample recordings (Zoom local-recording layout) in $data_dir/sources/$folder"
scripts/sample-recordings.sh "$data_dir/sources/$folder"

step "a local-folder source over them (blank = under 20 s)"
source_id=$(api POST /api/v1/input-sources "{\"name\": \"Quickstart folder $run\", \"type\": \"local_folder\",
  \"config\": {\"path\": \"$folder\"}, \"min_duration_seconds\": 20, \"min_size_bytes\": 10000}" | field "['id']")
echo "source $source_id"

step "an output preset writing to $data_dir/outputs/lectures"
preset_id=$(api POST /api/v1/output-presets '{"name": "Lecture archive '"$run"'", "platform": "local_folder",
  "settings": {"path": "lectures", "file_name_template": "{{ start | date }} {{ title }}"}}' | field "['id']")
echo "preset $preset_id"

step "a template for the algebra lectures"
template_id=$(api POST /api/v1/templates "{\"name\": \"Algebra $run\", \"priority\": 10,
  \"matching_rules\": {\"keywords\": [\"algebra\"]},
  \"processing\": {\"trim\": {\"padding_before_seconds\": 1, \"padding_after_seconds\": 1}},
  \"metadata\": {\"title_template\": \"{{ title }} ({{ start | date }})\"},
  \"output_preset_ids\": [\"$preset_id\"]}" | field "['id']")
echo "template $template_id"

step "an automation job: every day at 06:00, last 2 days"
job_id=$($recflow jobs create --name "Quickstart lectures $run" --source-id "$source_id" \
  --schedule '{"type": "time_of_day", "time": "06:00"}' --sync-days 2 --json | field "['id']")
$recflow jobs list

step "first sync (a file is taken once it is unchanged across two scans)"
api POST "/api/v1/input-sources/$source_id/sync" '{}' >/dev/null
sleep 2
api GET "/api/v1/input-sources/$source_id/status" | field "['last_result']"

step "dry run: what a run would do now (changes nothing)"
$recflow jobs run "$job_id" --dry-run

step "run the job now"
$recflow jobs run "$job_id" --wait
$recflow jobs runs "$job_id"

step "waiting for the pipelines (download, trim, publish)"
# A matched recording is done once READY, or once it failed (its failure says why).
for _ in $(seq 1 120); do
    busy=$(api GET "/api/v1/recordings?source_id=$source_id" | python3 -c "import json,sys
print(sum(r['template_id'] is not None and r['status'] != 'READY' and not r['failure']
          for r in json.load(sys.stdin)['items']))")
    [ "$busy" = 0 ] && break
    echo "  $busy recording(s) still in the pipeline"
    sleep 1
done

step "recordings and why"
$recflow recordings list --source-id "$source_id"

step "published files"
ls -la "$data_dir/outputs/lectures"
