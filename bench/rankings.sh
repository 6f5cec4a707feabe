#!/usr/bin/env bash
# Ranking requests for 30, 700 and 10,000 communes with 24 months of history, each beside the
# same response bytes served as a static file by nginx under the same load (wrk, 2 threads,
# 8 connections), then the latency of one client. Twice: as served (rankings cached until the
# next commit) and computed on every request (CCHC_RANKING_CACHE_MB=0).
# Usage: bench/rankings.sh [sqlite|postgres] (both by default).
source "$(dirname "$0")/lib.sh"
build
END=2026-10
TARGETS=("30 /api/v1/units/400/rankings?period=$END" "700 /api/v1/units/40/rankings?period=$END" "10000 /api/v1/rankings?period=$END")
printf '| backend | ranking | communes | request | size | app req/s | nginx req/s | ratio | app p50 ms | nginx p50 ms |\n|---|---|---|---|---|---|---|---|---|---|\n'
latency='| backend | ranking | communes | one-client p50 ms |\n|---|---|---|---|\n'
for b in ${@:-sqlite postgres}; do
    url=$(database_url "$b" cchc_bench_rankings)
    "$CCHC" generate --communes 10000 --months 24 --seed 1 --end "$END" --database-url "$url" 2>/dev/null >&2
    token=$(admin_token "$url")
    static="$WORK/static"
    rm -rf "$static" && mkdir -p "$static"
    start_nginx "$static" 18182
    for mode in cached computed; do
        cache_mb=64
        [[ $mode == computed ]] && cache_mb=0
        CCHC_RANKING_CACHE_MB=$cache_mb start_server "$url" 18181
        for target in "${TARGETS[@]}"; do
            read -r n path <<<"$target"
            file="rank-$n.json"
            curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:18181$path" -o "$static/$file"
            size=$(stat -c %s "$static/$file")
            app_rps=(); app_p50=(); ng_rps=(); ng_p50=(); one=()
            for _ in $(seq 1 "$RUNS"); do
                read -r r p < <(wrk_run "http://127.0.0.1:18181$path" "Authorization: Bearer $token"); app_rps+=("$r"); app_p50+=("$p")
                read -r r p < <(wrk_run "http://127.0.0.1:18182/$file"); ng_rps+=("$r"); ng_p50+=("$p")
            done
            for _ in 1 2 3; do
                read -r _ p < <(WRK_ARGS="-t1 -c1 -d5s" wrk_run "http://127.0.0.1:18181$path" "Authorization: Bearer $token"); one+=("$p")
            done
            a=$(printf '%s\n' "${app_rps[@]}" | median); g=$(printf '%s\n' "${ng_rps[@]}" | median)
            ap=$(printf '%s\n' "${app_p50[@]}" | median); gp=$(printf '%s\n' "${ng_p50[@]}" | median)
            op=$(printf '%s\n' "${one[@]}" | median)
            ratio=$(python3 -c "print(f'{100*$a/$g:.1f} %')")
            printf '| %s | %s | %s | `GET %s` | %s B | %s | %s | %s | %s | %s |\n' "$b" "$mode" "$n" "$path" "$size" "$a" "$g" "$ratio" "$ap" "$gp"
            latency+=$(printf '| %s | %s | %s | %s |' "$b" "$mode" "$n" "$op")'\n'
        done
        stop_server
    done
    stop_nginx
done
printf '\n%b' "$latency"
