#!/usr/bin/env bash
# Runs every test — domain unit tests and HTTP tests on SQLite and PostgreSQL.
#
# PostgreSQL comes from CCHC_TEST_POSTGRES_URL, else the local server on 127.0.0.1:5432,
# else a throwaway server started under target/ (needs PostgreSQL's binaries, e.g. Debian's
# postgresql package). The PostgreSQL tests never skip: without a server they fail and say why.
set -euo pipefail
cd "$(dirname "$0")/.."

default_url="postgres://postgres@127.0.0.1:5432/postgres"
if [[ -z "${CCHC_TEST_POSTGRES_URL:-}" ]]; then
    if command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
        export CCHC_TEST_POSTGRES_URL="$default_url"
    else
        # shellcheck source=scripts/test-postgres.sh
        source scripts/test-postgres.sh
    fi
fi
echo "PostgreSQL for tests: ${CCHC_TEST_POSTGRES_URL%%@*}@…"
cargo test --workspace --locked "$@"
