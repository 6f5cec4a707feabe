#!/usr/bin/env python3
"""Writes N portal dossier records as NDJSON files of at most 100,000 lines, for the communes
40000.. of a database made by `cchc generate` (province 40), with the portal's field names and
applicant fields the service must ignore. Also writes the same rows as CSV for the COPY ceiling.

    bench/make_dossiers.py OUT_DIR N [COMMUNES]
"""
import os, random, sys
from datetime import datetime, timedelta

out, n = sys.argv[1], int(sys.argv[2])
communes = int(sys.argv[3]) if len(sys.argv) > 3 else 700
os.makedirs(out, exist_ok=True)
rng = random.Random(20241127)
start = datetime(2026, 1, 1, 7, 0, 0)
per_file = 100_000
fmt = "%Y%m%d%H%M%S"
csv = open(os.path.join(out, "rows.csv"), "w")
files = []
for i in range(n):
    if i % per_file == 0:
        if files:
            files[-1].close()
        files.append(open(os.path.join(out, f"batch-{i // per_file:03d}.ndjson"), "w"))
    received = start + timedelta(minutes=rng.randrange(0, 300 * 24 * 60))
    due = received + timedelta(days=rng.randrange(1, 15))
    status = rng.choice([2, 4, 4, 9, 10, 10, 10, 7, 3])
    finished = received + timedelta(days=rng.randrange(0, 20)) if status in (7, 8, 9, 10) else None
    unit = f"{40000 + rng.randrange(communes):05d}"
    channel = rng.choice([1, 2, 2, 3])
    code = f"000.00.40.H{i:09d}"
    rec = ('{"MaHoSo":"%s","MaTTHC":"1.00%d","KenhThucHien":%d,"TrangThaiHoSo":%d,"DonViXuLy":"%s",'
           '"NgayTiepNhan":"%s","NgayHenTra":"%s"%s,"HoSoCoThanhPhanSoHoa":%s,"DuocThanhToanTrucTuyen":%s,'
           '"ChuHoSo":"Nguyễn Văn A","SoGiayToChuHoSo":"001090%06d"}') % (
        code, rng.randrange(10), channel, status, unit, received.strftime(fmt), due.strftime(fmt),
        (',"NgayKetThucXuLy":"%s"' % finished.strftime(fmt)) if finished else "",
        "true" if rng.random() < 0.6 else "false", "true" if rng.random() < 0.3 else "false", i % 1_000_000)
    files[-1].write(rec + "\n")
    csv.write("%s,1.00%d,%d,%d,%s,%s,%s,%s,,%s,%s,[],%s,%d,2026-11-27 00:00:00\n" % (
        code, rng.randrange(10), channel, status, unit, received, due, finished or "",
        "true", "false", finished or received, i))
files[-1].close()
csv.close()
