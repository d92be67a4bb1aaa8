# Sourced by the benchmark and fuzz scripts: starts `$binary serve` on a temporary data dir
# and a free port, stops it and removes the data dir on exit, and sets `data`, `port` and
# `token` (the first-start admin token). Exits with the server's own error if it cannot start.

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RECFLOW_DATA_DIR="$data" "$binary" serve --listen "127.0.0.1:$port" >"$data/serve.out" 2>"$data/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
    [ -s "$data/initial-admin-token" ] && curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break
    sleep 0.2
done
if ! [ -s "$data/initial-admin-token" ]; then
    echo "recflow did not start ($binary):" >&2
    cat "$data/serve.err" >&2
    exit 1
fi
token=$(cat "$data/initial-admin-token")
