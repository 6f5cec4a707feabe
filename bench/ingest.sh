#!/usr/bin/env bash
# Ingest of 1,000,000 portal dossier records end to end through POST /api/v1/portal/dossiers
# (NDJSON, 10 requests of 100,000), into SQLite and PostgreSQL, beside each database's own bulk
# ceiling measured in the same run on the same rows: PostgreSQL `COPY` and multi-row `INSERT`
# (1,000 rows a statement); SQLite multi-row `INSERT` in transactions with the server's PRAGMAs.
# Also the server's peak resident memory (VmHWM) while streaming.
# Usage: bench/ingest.sh [sqlite|postgres] [RECORDS]
source "$(dirname "$0")/lib.sh"
build
(cd "$ROOT" && cargo build --release --locked -p cchc-persistence --example sqlite_bulk_ceiling >&2)
N=${2:-1000000}
data="$WORK/dossiers"
[[ -f "$data/rows.csv" && $(wc -l <"$data/rows.csv") -eq $N ]] || { rm -rf "$data"; python3 "$ROOT/bench/make_dossiers.py" "$data" "$N" 700; }
printf '| backend | records | through HTTP | records/s | ceiling | ceiling records/s | ratio | server peak RSS |\n|---|---|---|---|---|---|---|---|\n'
for b in ${1:-sqlite postgres}; do
    url=$(database_url "$b" cchc_bench_ingest)
    "$CCHC" generate --communes 700 --months 1 --seed 3 --end 2026-10 --database-url "$url" 2>/dev/null >&2
    token=$(DATABASE_URL="$url" CCHC_JWT_SECRET="$SECRET" RUST_LOG=warn "$CCHC" token --sub bench-portal --role portal --unit 40)
    start_server "$url" 18185
    t0=$(date +%s.%N)
    for f in "$data"/batch-*.ndjson; do
        curl -fs -X POST -H "Authorization: Bearer $token" -H 'content-type: application/x-ndjson' \
            --data-binary @"$f" "http://127.0.0.1:18185/api/v1/portal/dossiers" >"$WORK/ingest-summary.json" \
            || { echo "ingest failed" >&2; cat "$WORK/ingest-summary.json" >&2; }
    done
    t1=$(date +%s.%N)
    peak=$(awk '/VmHWM/ {print $2" "$3}' "/proc/$SERVER_PID/status")
    stop_server
    http_rate=$(python3 -c "print(round($N / ($t1 - $t0)))")
    if [[ $b == postgres ]]; then
        ceil_url="${PG_ADMIN%/*}/cchc_bench_ceiling"
        psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cchc_bench_ceiling WITH (FORCE)" -c "CREATE DATABASE cchc_bench_ceiling" >&2
        DATABASE_URL="$ceil_url" RUST_LOG=warn "$CCHC" migrate >&2
        c0=$(date +%s.%N)
        psql "$ceil_url" -qc "\\copy dossiers FROM '$data/rows.csv' WITH (FORMAT csv)" >&2
        c1=$(date +%s.%N)
        copy_rate=$(python3 -c "print(round($N / ($c1 - $c0)))")
        psql "$ceil_url" -qc "TRUNCATE dossiers" >&2
        python3 - "$data/rows.csv" >"$WORK/inserts.sql" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
q = lambda v: "NULL" if v == "" else "'" + v.replace("'", "''") + "'"
for i in range(0, len(rows), 1000):
    print("INSERT INTO dossiers VALUES " + ",".join("(" + ",".join(q(v) for v in r) + ")" for r in rows[i:i + 1000]) + ";")
PY
        i0=$(date +%s.%N)
        psql "$ceil_url" -q -f "$WORK/inserts.sql" >/dev/null
        i1=$(date +%s.%N)
        insert_rate=$(python3 -c "print(round($N / ($i1 - $i0)))")
        printf '| postgres | %s | %.1f s | %s | COPY %.1f s | %s | %s | %s |\n' "$N" "$(python3 -c "print($t1-$t0)")" "$http_rate" \
            "$(python3 -c "print($c1-$c0)")" "$copy_rate" "$(python3 -c "print(f'{100*$http_rate/$copy_rate:.1f} %')")" "$peak"
        printf '| postgres | | | | multi-row INSERT %.1f s | %s | %s | |\n' "$(python3 -c "print($i1-$i0)")" "$insert_rate" \
            "$(python3 -c "print(f'{100*$http_rate/$insert_rate:.1f} %')")"
    else
        s0=$(date +%s.%N)
        "$(cd "$ROOT" && cargo_target_dir)/release/examples/sqlite_bulk_ceiling" "$WORK/ceiling-bulk.db" "$data/rows.csv" >&2
        s1=$(date +%s.%N)
        lite_rate=$(python3 -c "print(round($N / ($s1 - $s0)))")
        printf '| sqlite | %s | %.1f s | %s | multi-row INSERT %.1f s | %s | %s | %s |\n' "$N" "$(python3 -c "print($t1-$t0)")" "$http_rate" \
            "$(python3 -c "print($s1-$s0)")" "$lite_rate" "$(python3 -c "print(f'{100*$http_rate/$lite_rate:.1f} %')")" "$peak"
    fi
done
