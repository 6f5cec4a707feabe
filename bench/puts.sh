#!/usr/bin/env bash
# Report PUT throughput with 8 concurrent clients (every request a real change), beside the
# database's own single-row insert rate with the same durability: pgbench (8 clients,
# synchronous_commit as configured) for PostgreSQL; the same inserts with the server's PRAGMAs
# for SQLite. Usage: bench/puts.sh [sqlite|postgres] (both by default).
source "$(dirname "$0")/lib.sh"
build
(cd "$ROOT" && cargo build --release --locked -p cchc-persistence --example sqlite_insert_ceiling >&2)
MONTH=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m)
printf '| backend | app PUT/s (8 clients) | app p50 ms | database inserts/s (8 clients) | ratio |\n|---|---|---|---|---|\n'
for b in ${@:-sqlite postgres}; do
    url=$(database_url "$b" cchc_bench_puts)
    "$CCHC" generate --communes 700 --months 1 --seed 2 --end 2026-10 --database-url "$url" 2>/dev/null >&2
    token=$(admin_token "$url")
    start_server "$url" 18183
    app=(); p50=(); ceiling=()
    for _ in $(seq 1 "$RUNS"); do
        out=$(wrk -t2 -c8 -d"${DURATION}s" --latency -s "$ROOT/bench/put.lua" "http://127.0.0.1:18183" -- "$token" "$MONTH" 40000 700)
        grep -qE "Non-2xx|Socket errors" <<<"$out" && { echo "$out" >&2; echo "PUTs failed" >&2; }
        app+=("$(awk '/Requests\/sec:/ {print $2}' <<<"$out")")
        p50+=("$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")")
        if [[ $b == sqlite ]]; then
            ceiling+=("$("$(cd "$ROOT" && cargo_target_dir)/release/examples/sqlite_insert_ceiling" "$WORK/ceiling.db" 8 "$DURATION")")
        else
            psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS cchc_bench_ceiling WITH (FORCE)" -c "CREATE DATABASE cchc_bench_ceiling" >&2
            ceil_url="${PG_ADMIN%/*}/cchc_bench_ceiling"
            psql "$ceil_url" -qc "CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, unit TEXT NOT NULL, period TEXT NOT NULL, payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL)" >&2
            echo "INSERT INTO rows (unit, period, payload, created_at) VALUES ('40000', '2026-11', repeat('x', 1300), now());" >"$WORK/insert.sql"
            ceiling+=("$(pgbench -n -c 8 -j 2 -T "$DURATION" -f "$WORK/insert.sql" "$ceil_url" 2>/dev/null | awk '/^tps/ {print $3}')")
        fi
    done
    stop_server
    a=$(printf '%s\n' "${app[@]}" | median); c=$(printf '%s\n' "${ceiling[@]}" | median); p=$(printf '%s\n' "${p50[@]}" | median)
    printf '| %s | %s | %s | %s | %s |\n' "$b" "$a" "$p" "$c" "$(python3 -c "print(f'{100*$a/$c:.1f} %')")"
done
