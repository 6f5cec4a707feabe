#!/usr/bin/env bash
# The contract as integrators meet it: serves an empty SQLite database, fetches the served
# OpenAPI document, checks it equals openapi/openapi.json and passes openapi-spec-validator and
# `redocly lint` (recommended rules) with no error; generates a Python client with
# openapi-python-client and runs clients/python/flow.py with it; generates TypeScript types
# with openapi-typescript and compiles clients/typescript/program.ts with `tsc --strict`; opens
# the district's CSV and XLSX in LibreOffice (clients/spreadsheets.py; needs soffice, pdftoppm).
# Generator versions are pinned here and in clients/typescript/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
work=target/clients
rm -rf "$work" && mkdir -p "$work"
venv=target/clients-venv
if [[ ! -x $venv/bin/openapi-python-client ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "openapi-python-client==0.29.1" "openapi-spec-validator==0.9.0" "openpyxl==3.1.5"
fi
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)

cargo build --locked -p cchc-api --bin cchc
cchc="$(cargo_target_dir)/debug/cchc"
export DATABASE_URL="sqlite://$PWD/$work/clients.db" CCHC_JWT_SECRET="clients-secret-clients-secret-clients" RUST_LOG=warn
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$cchc" serve --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
curl -fsS "$base/api-docs/openapi.json" -o "$work/openapi.json"

python3 - "$work/openapi.json" openapi/openapi.json <<'PY'
import json, sys
served, committed = (json.load(open(p)) for p in sys.argv[1:])
sys.exit(0 if served == committed else "the served document differs from openapi/openapi.json")
PY
"$venv/bin/openapi-spec-validator" "$work/openapi.json"
clients/typescript/node_modules/.bin/redocly lint "$work/openapi.json" --format=stylish

"$venv/bin/openapi-python-client" generate --path "$work/openapi.json" --config clients/python/config.yml \
    --meta none --output-path "$work/python/cchc_client" >"$work/python-generate.log" 2>&1 \
    || { cat "$work/python-generate.log" >&2; exit 1; }
if grep -q "WARNING" "$work/python-generate.log"; then
    cat "$work/python-generate.log" >&2
    echo "openapi-python-client warned: an operation may be missing" >&2
    exit 1
fi
token=$("$cchc" token --sub "clients admin" --role admin)
PYTHONPATH="$work/python" "$venv/bin/python" clients/python/flow.py "$base" "$token" "$work/openapi.json" \
    crates/domain/fixtures/dong-son-2024-06.json

# The district's tables as officers open them, in LibreOffice.
district=$("$cchc" token --sub "clients district" --role district --unit 215)
"$venv/bin/python" clients/spreadsheets.py "$base" "$district" "$work"

(cd clients/typescript && npx --no-install openapi-typescript "../../$work/openapi.json" -o "../../$work/schema.d.ts" \
    && npx --no-install tsc --noEmit -p tsconfig.json)
if grep -vE '^\s*//' clients/typescript/program.ts | grep -nE '\bas [A-Za-z{]|\bany\b|<any>|@ts-'; then
    echo "clients/typescript/program.ts must not cast or use any" >&2
    exit 1
fi
grep -qE "panicked|PANIC" "$work/server.log" && { echo "the server panicked; see $work/server.log" >&2; exit 1; }
echo "the generated clients work"
