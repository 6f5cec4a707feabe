#!/usr/bin/env bash
# Time to re-score everything after a scheme upload: 10,000 communes × 24 months (~233,000
# reports), POST /api/v1/schemes with a new version of the built-in scheme, timed end to end.
# Usage: bench/rescore.sh [sqlite|postgres] (both by default).
source "$(dirname "$0")/lib.sh"
build
printf '| backend | reports | re-score (POST /api/v1/schemes) | reports/s |\n|---|---|---|---|\n'
for b in ${@:-sqlite postgres}; do
    url=$(database_url "$b" cchc_bench_rescore)
    "$CCHC" generate --communes 10000 --months 24 --seed 1 --end 2026-10 --database-url "$url" 2>/dev/null >&2
    token=$(admin_token "$url")
    start_server "$url" 18184
    python3 - "$ROOT/crates/domain/schemes/commune-par-v1.json" >"$WORK/scheme-v2.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = 2
s["description"] = "benchmark: version 2"
json.dump(s, sys.stdout, ensure_ascii=False)
PY
    start=$(date +%s.%N)
    resp=$(curl -fs -X POST -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        --data-binary @"$WORK/scheme-v2.json" "http://127.0.0.1:18184/api/v1/schemes")
    end=$(date +%s.%N)
    stop_server
    n=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['rescored_reports'])" "$resp")
    secs=$(python3 -c "print(round($end - $start, 1))")
    printf '| %s | %s | %s s | %s |\n' "$b" "$n" "$secs" "$(python3 -c "print(round($n / ($end - $start)))")"
done
