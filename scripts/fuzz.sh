#!/usr/bin/env bash
# Fuzzes the served OpenAPI document with schemathesis 4: every check except
# positive_data_acceptance (which cannot know the field's cross-field rules, such as the
# Biểu 06 identities), authenticated as an admin, fixed seed, bounded examples, against the
# demo data on a throwaway SQLite database and a throwaway PostgreSQL database (strings include
# NUL and other control characters, which PostgreSQL cannot store: they must be refused, not
# 500). Fails on any 5xx or any response outside the schema. `scripts/fuzz.sh sqlite` runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
backends=${*:-sqlite postgres}
work=target/fuzz
rm -rf "$work" && mkdir -p "$work"
if [[ ! -x target/venv/bin/st ]]; then
    python3 -m venv target/venv
    target/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi
cargo build --locked -p cchc-api --bin cchc
cchc="$(cargo_target_dir)/debug/cchc"
export CCHC_JWT_SECRET="fuzz-secret-fuzz-secret-fuzz-secret" RUST_LOG=warn
pg_base=${CCHC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_db="cchc_fuzz_$$"
server=""
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null || true
    psql -q "$pg_base" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# A free port, so that two runs on one machine never meet.
port=${FUZZ_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
for backend in $backends; do
    case $backend in
        sqlite) export DATABASE_URL="sqlite://$PWD/$work/fuzz.db" ;;
        postgres)
            psql -q "$pg_base" -c "CREATE DATABASE $pg_db" >/dev/null
            export DATABASE_URL="${pg_base%/*}/$pg_db"
            ;;
        *) echo "unknown backend $backend" >&2; exit 2 ;;
    esac
    "$cchc" serve --demo --bind "127.0.0.1:$port" >"$work/server-$backend.out" 2>"$work/server-$backend.log" &
    server=$!
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
    # A subject no stored user can have (usernames have no spaces), so that the fuzzer cannot
    # create and then disable the very user it acts as.
    token=$("$cchc" token --sub "fuzz admin" --role admin)
    echo "== schemathesis against $backend"
    target/venv/bin/st run "http://127.0.0.1:$port/api-docs/openapi.json" \
        --checks all --exclude-checks positive_data_acceptance \
        --header "Authorization: Bearer $token" \
        --seed 20241127 --max-examples "${FUZZ_EXAMPLES:-25}" \
        --generation-allow-x00 true --generation-codec utf-8 \
        --generation-database none --workers 2 --no-color \
        --phases examples,coverage,fuzzing \
        --report junit --report-dir "$work/$backend"
    grep -qE "panicked|PANIC" "$work/server-$backend.log" && { echo "the server panicked; see $work/server-$backend.log" >&2; exit 1; }
    kill "$server" && wait "$server" 2>/dev/null || true
    server=""
done
echo "fuzzing found no failures"
