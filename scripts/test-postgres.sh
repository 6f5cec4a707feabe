#!/usr/bin/env bash
# Starts a throwaway PostgreSQL under target/test-postgres on port 5439 (trust auth, stopped
# when the calling shell exits) and exports CCHC_TEST_POSTGRES_URL. Source it, or run it
# directly to keep a server for repeated `cargo test` runs:  source scripts/test-postgres.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin=""
for candidate in "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then bin="$candidate"; fi
done
if [[ -z "$bin" ]]; then
    echo "No PostgreSQL binaries found (initdb, pg_ctl). Install PostgreSQL (e.g. apt-get install postgresql)," >&2
    echo "or set CCHC_TEST_POSTGRES_URL to a server where you may create databases." >&2
    return 1 2>/dev/null || exit 1
fi
dir="$root/target/test-postgres"
port=5439
run_as=()
if [[ "$(id -u)" == 0 ]]; then
    # PostgreSQL refuses to run as root.
    run_as=(runuser -u postgres --)
    mkdir -p "$dir" && chown postgres "$dir"
fi
if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust >/dev/null
fi
if ! "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
        trap '"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true' EXIT
    fi
fi
export CCHC_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
echo "throwaway PostgreSQL at $CCHC_TEST_POSTGRES_URL (data in $dir)"
