#!/usr/bin/env bash
# Browser tests of the staff dashboard (/app/): builds cchc, serves the demo data on a throwaway
# SQLite database on a free port, drives it with headless Chromium through Selenium
# (tests/browser/test_dashboard.py, test_docs.py; test_entry.py starts and restarts servers of its
# own), then stops the server. The tests save screenshots of the
# rankings, completeness and commune pages to docs/screenshots/.
#
# Needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver);
# Selenium and pytest are installed into target/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
work=target/browser
rm -rf "$work" && mkdir -p "$work"
for tool in chromium chromedriver; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y chromium chromium-driver" >&2; exit 1; }
done
[[ -x target/venv/bin/python ]] || python3 -m venv target/venv
if ! target/venv/bin/python -c "import selenium, pytest" 2>/dev/null; then
    target/venv/bin/pip install --quiet --disable-pip-version-check "selenium==4.51.0" "pytest==9.2.0"
fi
cargo build --locked -p cchc-api --bin cchc
cchc="$(cargo_target_dir)/debug/cchc"
export DATABASE_URL="sqlite://$PWD/$work/browser.db" CCHC_JWT_SECRET="browser-secret-browser-secret-browser" RUST_LOG=warn
port=${BROWSER_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
"$cchc" serve --demo --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/health" >/dev/null || { echo "the server did not start; see $work/server.log" >&2; exit 1; }
CCHC_DASHBOARD_URL="http://127.0.0.1:$port" CCHC_SCREENSHOTS="docs/screenshots" CCHC_BIN="$cchc" CCHC_ENTRY_WORK="$work/entry" \
    target/venv/bin/python -m pytest -p no:cacheprovider -q tests/browser/test_dashboard.py tests/browser/test_docs.py tests/browser/test_entry.py "$@"
if grep -qE "panicked|PANIC" "$work/server.log"; then
    echo "the server panicked; see $work/server.log" >&2
    exit 1
fi
echo "browser tests passed; screenshots in docs/screenshots/"
