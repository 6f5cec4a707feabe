#!/usr/bin/env bash
# Fuzzes the served OpenAPI document with schemathesis 4: every check except
# positive_data_acceptance (which cannot know the field's cross-field rules, such as the
# Biểu 06 identities), authenticated as an admin, fixed seed, bounded examples, against the
# demo data on a throwaway SQLite database. Fails on any 5xx or any response outside the schema.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
work=target/fuzz
rm -rf "$work" && mkdir -p "$work"
if [[ ! -x target/venv/bin/st ]]; then
    python3 -m venv target/venv
    target/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi
cargo build --locked -p cchc-api --bin cchc
cchc="$(cargo_target_dir)/debug/cchc"
export DATABASE_URL="sqlite://$PWD/$work/fuzz.db" CCHC_JWT_SECRET="fuzz-secret-fuzz-secret-fuzz-secret" RUST_LOG=warn
port=${FUZZ_PORT:-18190}
"$cchc" serve --demo --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
# A subject no stored user can have (usernames have no spaces), so that the fuzzer cannot
# create and then disable the very user it acts as.
token=$("$cchc" token --sub "fuzz admin" --role admin)
target/venv/bin/st run "http://127.0.0.1:$port/api-docs/openapi.json" \
    --checks all --exclude-checks positive_data_acceptance \
    --header "Authorization: Bearer $token" \
    --seed 20241127 --max-examples "${FUZZ_EXAMPLES:-25}" \
    --generation-database none --workers 2 --no-color \
    --phases examples,coverage,fuzzing \
    --report junit --report-dir "$work"
grep -qE "panicked|PANIC" "$work/server.log" && { echo "the server panicked; see $work/server.log" >&2; exit 1; }
echo "fuzzing found no failures"
