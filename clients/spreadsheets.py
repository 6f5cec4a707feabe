"""The district's tables as officers open them, checked with LibreOffice (headless):

    python spreadsheets.py BASE_URL DISTRICT_TOKEN OUT_DIR

The consolidated table's CSV is imported with the settings the README gives (comma, double
quote, UTF-8, the code column as text); the result must keep Vietnamese, the commune codes'
leading zero and the scores as numbers. The XLSX is opened as it is. Both are also rendered to
PNG (OUT_DIR/*.png) for a person to look at.
"""

import pathlib
import subprocess
import sys
import urllib.request

import openpyxl

BASE, TOKEN, OUT = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
# The README's import settings, as LibreOffice's CSV filter options: separator 44 (comma), text
# delimiter 34 ("), character set 76 (UTF-8), from line 1, column 1 as text (2).
CSV_IMPORT = "CSV:44,34,76,1,1/2"


def fetch(path, name):
    req = urllib.request.Request(BASE + path, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req) as res:
        (OUT / name).write_bytes(res.read())
    return OUT / name


def soffice(*args):
    subprocess.run(["soffice", "--headless", "--norestore", *args, "--outdir", str(OUT)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)


def fail(what):
    sys.exit(f"FAIL {what}")


csv = fetch("/api/v1/units/215/reports.csv?period=2024-06", "consolidated.csv")
xlsx = fetch("/api/v1/units/215/reports.xlsx?period=2024-06", "bieu-tong-hop.xlsx")
soffice(f"--infilter={CSV_IMPORT}", "--convert-to", "xlsx:Calc MS Excel 2007 XML", str(csv))
imported = openpyxl.load_workbook(OUT / "consolidated.xlsx").active
header = [c.value for c in imported[1]]
first = [c.value for c in imported[2]]
score = header.index("Điểm")
if first[0] != "07273":
    fail(f"the commune code lost its leading zero: {first[0]!r}")
if first[1] != "Xã Đông Sơn":
    fail(f"Vietnamese did not survive the import: {first[1]!r}")
if first[score] != 99.88:
    fail(f"the score is not the number 99.88: {first[score]!r}")
print("ok   CSV imported with the README's settings: 07273, Xã Đông Sơn, 99.88")

book = openpyxl.load_workbook(xlsx).active
if book["A4"].value != "07273" or book["A4"].data_type != "s":
    fail(f"the XLSX code cell is not the text 07273: {book['A4'].value!r}")
if book.auto_filter.ref is None or not book.print_title_rows:
    fail("the XLSX has no filter or no repeated header row")
# fitToWidth absent is OOXML's default, 1 page wide; fitToHeight 0 lets it run over pages.
fit = book.sheet_properties.pageSetUpPr.fitToPage and book.page_setup.fitToWidth in (None, 1)
if book.page_setup.orientation != "landscape" or not fit or book.page_setup.fitToHeight != 0:
    fail("the XLSX does not print landscape, one page wide")
print("ok   XLSX: codes as text, a filter, landscape one page wide with the header repeated")

for sheet in (xlsx, OUT / "consolidated.xlsx"):
    soffice("--convert-to", "pdf", str(sheet))
    pdf = sheet.with_suffix(".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(sheet.with_suffix(""))],
                   check=True, timeout=120)
print(f"ok   rendered to {OUT}/*.png")
