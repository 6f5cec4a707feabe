#!/usr/bin/env bash
# The official documents as officers open them: serves the demo data on a throwaway SQLite
# database on a free port, downloads the seed commune's report (Xã Đông Sơn, 2024-06) and the
# consolidated reports of Huyện Yên Thế (2024-06) and Tỉnh 24 (the current month) as .docx,
# converts each to PDF with LibreOffice headless, checks the PDF's text holds what the issue
# asks for, and renders each first page to docs/screenshots/ (look at them).
#
# Needs soffice (libreoffice-writer-nogui) and pdftotext/pdftoppm (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
work=target/documents
rm -rf "$work" && mkdir -p "$work"
for tool in soffice pdftotext pdftoppm; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y libreoffice-writer-nogui poppler-utils" >&2; exit 1; }
done
cargo build --locked -p cchc-api --bin cchc
cchc="$(cargo_target_dir)/debug/cchc"
export DATABASE_URL="sqlite://$PWD/$work/documents.db" CCHC_JWT_SECRET="documents-secret-documents-secret-docs" RUST_LOG=warn
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$cchc" serve --demo --bind "127.0.0.1:$port" >"$work/server.out" 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -fs "$base/health" >/dev/null && break; sleep 0.2; done
curl -fs "$base/health" >/dev/null || { echo "the server did not start; see $work/server.log" >&2; exit 1; }

docx="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
token() {
    curl -fsS "$base/api/v1/auth/token" -H 'content-type: application/json' \
        -d "{\"username\": \"$1\", \"password\": \"$2\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
district=$(token yenthe demo-district)
province=$(token bacgiang demo-province)
month=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m)

# get NAME TOKEN PATH: the document NAME.docx, its PDF and its text.
get() {
    curl -fsS "$base$3" -H "Authorization: Bearer $2" -H "Accept: $docx" -o "$work/$1.docx"
    (cd "$work" && soffice --headless --convert-to pdf "$1.docx" >/dev/null 2>&1)
    pdftotext -layout "$work/$1.pdf" "$work/$1.txt"
    pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$work/$1.pdf" "docs/screenshots/$1"
}
# holds NAME PHRASE…: the PDF's text (spaces squeezed) holds each phrase.
holds() {
    local name=$1 flat
    shift
    flat=$(tr -s ' \n' ' ' <"$work/$name.txt")
    for phrase in "$@"; do
        grep -qF -- "$phrase" <<<"$flat" || { echo "$name.pdf lacks \"$phrase\"" >&2; exit 1; }
    done
}

get bao-cao-xa-dong-son-2024-06 "$district" /api/v1/communes/07273/reports/2024-06
holds bao-cao-xa-dong-son-2024-06 "ỦY BAN NHÂN DÂN" "XÃ ĐÔNG SƠN" "Số: …/BC-UBND" \
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "Độc lập - Tự do - Hạnh phúc" "BÁO CÁO" "tháng 06 năm 2024" \
    "168 hồ sơ" "168/168" "132 hồ sơ" "33 hồ sơ" "01 hồ sơ quá hạn" "02 hồ sơ đang" \
    "I. CÔNG TÁC CHỈ ĐẠO" "II. KẾT QUẢ THỰC HIỆN" "III. ĐÁNH GIÁ CHUNG" "IV. PHƯƠNG HƯỚNG" \
    "Nơi nhận" "TM. ỦY BAN NHÂN DÂN" "CHỦ TỊCH" "Đặng Quý Hưng"

get bao-cao-tong-hop-huyen-yen-the-2024-06 "$district" "/api/v1/units/215/reports?period=2024-06"
holds bao-cao-tong-hop-huyen-yen-the-2024-06 "UBND HUYỆN YÊN THẾ" "PHÒNG NỘI VỤ" "Số: …/BC-PNV" \
    "tháng 06 năm 2024" "Tổng số hồ sơ tiếp nhận" "Các đơn vị chưa gửi báo cáo" "Xã Đồng Vương" \
    "Kết quả xếp hạng" "PHỤ LỤC" "Tổng cộng" "Nơi nhận" "TRƯỞNG PHÒNG"

get bao-cao-tong-hop-tinh-24-thang-hien-tai "$province" "/api/v1/units/24/reports?period=$month"
holds bao-cao-tong-hop-tinh-24-thang-hien-tai "SỞ NỘI VỤ" "Số: …/BC-SNV" "Các đơn vị chưa gửi báo cáo" \
    "PHỤ LỤC" "Tổng cộng" "GIÁM ĐỐC"

if grep -qE "panicked|PANIC" "$work/server.log"; then
    echo "the server panicked; see $work/server.log" >&2
    exit 1
fi
echo "documents open in LibreOffice; first pages in docs/screenshots/"
