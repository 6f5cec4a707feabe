# Shared helpers for the benchmark scripts (source it). Everything lives under target/bench.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$ROOT/target/bench"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
CCHC="$(cd "$ROOT" && cargo_target_dir)/release/cchc"
PG_ADMIN="${CCHC_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
SECRET="bench-secret-bench-secret-bench-secret"
RUNS="${RUNS:-5}"
DURATION="${DURATION:-10}"
mkdir -p "$WORK"

build() { (cd "$ROOT" && cargo build --release --locked -p cchc-api --bin cchc >&2); }

# database_url BACKEND NAME: a fresh database of that name.
database_url() {
    local backend=$1 name=$2
    if [[ $backend == sqlite ]]; then
        rm -f "$WORK/$name.db" "$WORK/$name.db-wal" "$WORK/$name.db-shm"
        echo "sqlite://$WORK/$name.db"
    else
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >&2
        psql "$PG_ADMIN" -qc "CREATE DATABASE $name" >&2
        echo "${PG_ADMIN%/*}/$name"
    fi
}

# start_server URL PORT: starts cchc in the background; sets SERVER_PID.
start_server() {
    local url=$1 port=$2
    DATABASE_URL="$url" CCHC_JWT_SECRET="$SECRET" CCHC_BIND="127.0.0.1:$port" RUST_LOG=warn \
        "$CCHC" serve >"$WORK/server-$port.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "the server did not start; see $WORK/server-$port.log" >&2
    return 1
}

stop_server() { kill "${SERVER_PID:-0}" 2>/dev/null || true; wait "${SERVER_PID:-0}" 2>/dev/null || true; }

admin_token() { DATABASE_URL="$1" CCHC_JWT_SECRET="$SECRET" RUST_LOG=warn "$CCHC" token --sub bench --role admin; }

# start_nginx DIR PORT: serves DIR's files as application/json; sets NGINX_PID.
start_nginx() {
    local dir=$1 port=$2 conf="$WORK/nginx-$2.conf"
    cat >"$conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx-$port.pid;
error_log $WORK/nginx-$port.error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types { application/json json; }
    server { listen 127.0.0.1:$port; root $dir; }
}
CONF
    nginx -c "$conf" &
    NGINX_PID=$!
    for _ in $(seq 1 50); do
        [[ -f "$WORK/nginx-$port.pid" ]] && break
        sleep 0.1
    done
    sleep 0.3
}

stop_nginx() { kill "${NGINX_PID:-0}" 2>/dev/null || true; wait "${NGINX_PID:-0}" 2>/dev/null || true; }

# wrk_run URL [HEADER]: prints "requests_per_second p50_ms" for one run.
wrk_run() {
    local url=$1 header=${2:-}
    local out
    # WRK_ARGS overrides the load (e.g. "-t1 -c1 -d5s" for the latency of one client).
    read -r -a load <<<"${WRK_ARGS:--t2 -c8 -d${DURATION}s}"
    if [[ -n $header ]]; then
        out=$(wrk "${load[@]}" --latency -H "$header" "$url")
    else
        out=$(wrk "${load[@]}" --latency "$url")
    fi
    local rps p50 errors
    rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
    [[ -z $errors ]] || echo "wrk reported errors for $url: $errors" >&2
    echo "$rps $(to_ms "$p50")"
}

to_ms() {
    python3 -c "import sys,re; v=sys.argv[1]; m=re.match(r'([0-9.]+)(us|ms|s)', v); x=float(m.group(1)); print({'us':x/1000,'ms':x,'s':x*1000}[m.group(2)])" "$1"
}

# median of the numbers on stdin
median() { python3 -c "import sys,statistics; print(round(statistics.median(float(x) for x in sys.stdin.read().split()), 2))"; }
