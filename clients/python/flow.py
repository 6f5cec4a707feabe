"""A commune app and a district's spreadsheet, written only against the client that
openapi-python-client generated from the served document (see clients/README.md).

    python flow.py BASE_URL ADMIN_TOKEN OPENAPI_JSON SEED_JSON

Fails (exit 1, with the step) when the client lost an operation, or when any step's answer is
not the exact figure the seed report gives.
"""

import io
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

import openpyxl

import cchc_client.api
from cchc_client import AuthenticatedClient, Client
from cchc_client.api.aggregates import (
    download_unit_report_document,
    download_unit_report_table,
    get_unit_aggregates,
    get_unit_report_table,
)
from cchc_client.api.auth import issue_token
from cchc_client.api.history import list_report_changes, list_report_revisions
from cchc_client.api.indicators import list_indicators
from cchc_client.api.portal import get_feed
from cchc_client.api.rankings import get_commune_scores, get_unit_rankings
from cchc_client.api.reports import (
    download_commune_report_document,
    get_commune_report,
    import_report_document,
    list_commune_reports,
    put_commune_report,
)
from cchc_client.api.review import approve_commune_report
from cchc_client.api.units import create_unit
from cchc_client.api.users import create_user
from cchc_client.models import (
    FeedReportApprovedItem,
    FileFormat,
    NewUnit,
    NewUserBody,
    Problem,
    ReportBody,
    ReportView,
    Role,
    TokenRequest,
    UnitLevel,
)
from cchc_client.types import UNSET, File

BASE, ADMIN_TOKEN, DOCUMENT, SEED = sys.argv[1:5]


def check(what, got, want):
    if got != want:
        sys.exit(f"FAIL {what}: got {got!r}, want {want!r}")
    print(f"ok   {what}: {got!r}")


def snake(operation_id):
    return "".join("_" + c.lower() if c.isupper() else c for c in operation_id)


# No operation lost: one generated function module per operation of the document.
document = json.loads(pathlib.Path(DOCUMENT).read_text())
operations = sorted(snake(op["operationId"]) for item in document["paths"].values() for op in item.values())
api_dir = pathlib.Path(cchc_client.api.__file__).parent
generated = sorted(p.stem for p in api_dir.glob("*/*.py") if p.stem != "__init__")
check("generated functions = the document's operations", generated, operations)

admin = AuthenticatedClient(base_url=BASE, token=ADMIN_TOKEN)
for code, name, level, parent in [
    ("24", "Tỉnh Bắc Giang", UnitLevel.PROVINCE, None),
    ("215", "Huyện Yên Thế", UnitLevel.DISTRICT, "24"),
    ("07273", "Xã Đông Sơn", UnitLevel.COMMUNE, "215"),
    ("07279", "Xã Hương Vĩ", UnitLevel.COMMUNE, "215"),
]:
    unit = create_unit.sync(client=admin, body=NewUnit(code=code, name=name, level=level, parent_code=parent))
    check(f"unit {code} created", getattr(unit, "code", unit), code)
for username, role, unit in [("dongson", Role.COMMUNE, "07273"), ("yenthe", Role.DISTRICT, "215")]:
    user = create_user.sync(
        client=admin, body=NewUserBody(username=username, password="mật-khẩu-đủ-dài", role=role, unit_code=unit)
    )
    check(f"user {username} created", getattr(user, "username", user), username)


def sign_in(username):
    answer = issue_token.sync(client=Client(base_url=BASE), body=TokenRequest(username=username, password="mật-khẩu-đủ-dài"))
    check(f"token for {username}", answer.token_type, "Bearer")
    return AuthenticatedClient(base_url=BASE, token=answer.access_token)


commune, district = sign_in("dongson"), sign_in("yenthe")

# The commune files the seed report and reads it back.
seed = json.loads(pathlib.Path(SEED).read_text())
filed = put_commune_report.sync_detailed("07273", "2024-06", client=commune, body=ReportBody.from_dict(seed))
check("PUT the seed report", filed.status_code.value, 201)
report = filed.parsed
check("stored as submitted", report.status.value, "submitted")
check("dossiers received online", report.values.dossiers_received_online, 168)
check("resolved on time (%)", report.derived.resolved_on_time_rate, 99.4)
read = get_commune_report.sync_detailed("07273", "2024-06", client=commune)
check("GET returns the revision", read.parsed.revision, 1)
check("with its entity tag", read.headers["etag"], '"07273-2024-06-r1"')
months = list_commune_reports.sync("07273", client=commune, from_="2024-05", to="2024-06")
check("the commune's months", [m.period for m in months.items], ["2024-06", "2024-05"])
check("June's score", months.items[0].score, 99.88)
check("May not reported", months.items[1].status, None)

# The seed report as the commune wrote it (plain text) read into a form; nothing is stored.
# Sent as a Word file, the text converted by LibreOffice as a clerk's office would.
seed_path = pathlib.Path(__file__).parents[2] / "crates/domain/fixtures/bao-cao-cchc-xa-dong-son-2024-06.txt"
with tempfile.TemporaryDirectory() as out:
    subprocess.run(["soffice", "--headless", "--infilter=Text (encoded):UTF8,LF,,", "--convert-to", "docx:MS Word 2007 XML",
                    "--outdir", out, str(seed_path)], check=True, capture_output=True)
    word = io.BytesIO((pathlib.Path(out) / (seed_path.stem + ".docx")).read_bytes())
imported = import_report_document.sync(client=commune, body=File(payload=word, file_name="bao-cao.docx"))
if not hasattr(imported, "commune_code"):
    sys.exit(f"FAIL import: {imported}")
check("import: the commune and month", (imported.commune_code, imported.period), ("07273", "2024-06"))
check("import: received online", imported.values.dossiers_received_online, 168)
check("import: every figure with its sentence", {e.indicator for e in imported.evidence} >= set(imported.values.to_dict()), True)

# The district's aggregates and rankings, for the month and the quarter.
for period, standing in [("2024-06", "submitted"), ("2024Q2", "partial")]:
    aggregates = get_unit_aggregates.sync("215", client=district, period=period)
    received = aggregates.indicators["dossiers_received_online"].value
    check(f"aggregates {period}: received online", received, 168)
    ranking = get_unit_rankings.sync("215", client=district, period=period, detail="criteria")
    first = ranking.entries[0]
    check(f"ranking {period}: first", (first.unit_code, first.status.value), ("07273", standing))
    check(f"ranking {period}: a score per criterion", len(first.criteria) > 10, True)
check("June's score in the ranking", get_unit_rankings.sync("215", client=district, period="2024-06").entries[0].score, 99.88)

# The consolidated table, as JSON and as the XLSX file, cell by cell.
table = get_unit_report_table.sync("215", client=district, period="2024-06")
check("consolidated rows", [r.unit_code for r in table.items], ["07273", "07279"])
xlsx = download_unit_report_table.sync("215", FileFormat.XLSX, client=district, period="2024-06")
sheet = openpyxl.load_workbook(io.BytesIO(xlsx.payload.read())).active
rows = [list(r) for r in sheet.iter_rows(values_only=True)]
check("title row", rows[0][0], "Biểu tổng hợp kết quả CCHC — Huyện Yên Thế (215), kỳ 2024-06")
header, body, totals = rows[2], rows[3:-1], rows[-1]
# Headers carry the labels in force in the period (a superseded term says so).
catalog = list_indicators.sync(client=district, period="2024-06")
derived_codes = set(table.items[0].derived.additional_properties)
# A total that is also a derived figure has its derived column only.
labels = {i.label_vi: i.code for i in catalog.indicators if i.code not in derived_codes}
derived_labels = {d.label_vi: d.code for d in catalog.derived}
checked = 0
for json_row, cells in zip(table.items, body, strict=True):
    check(f"row {json_row.unit_code}: code as text", cells[0], json_row.unit_code)
    check(f"row {json_row.unit_code}: months reported", cells[3], json_row.months_reported)
    values = json_row.values.to_dict()
    for label, cell in zip(header, cells):
        if label in labels:
            want = values.get(labels[label])
            want = {True: "Có", False: "Không"}.get(want, want) if isinstance(want, bool) else want
            if cell != want:
                sys.exit(f"FAIL {json_row.unit_code} {label}: cell {cell!r}, JSON {want!r}")
            checked += 1
        elif label in derived_labels:
            want = json_row.derived.additional_properties[derived_labels[label]]
            if cell != want:
                sys.exit(f"FAIL {json_row.unit_code} {label}: cell {cell!r}, JSON {want!r}")
            checked += 1
check("a column per indicator and derived figure", len([h for h in header if h in labels or h in derived_labels]),
      len(labels) + len(derived_labels))
check("cells equal to the JSON", checked, 2 * (len(labels) + len(derived_labels)))
totals_json = table.totals.indicators
check("totals row", totals[1], "Tổng cộng")
check("totals: received online", totals[header.index("Số hồ sơ mới tiếp nhận trực tuyến")],
      totals_json["dossiers_received_online"].value)

# The official documents as files: Word documents are zip archives holding word/document.xml.
for what, doc in [
    ("the commune's report", download_commune_report_document.sync("07273", "2024-06", client=district)),
    ("the consolidated report", download_unit_report_document.sync("215", client=district, period="2024-06")),
]:
    xml = zipfile.ZipFile(io.BytesIO(doc.payload.read())).read("word/document.xml").decode()
    check(f"{what}: a Word document with the received total", "168" in xml and "BÁO CÁO" in xml, True)

# The district approves with no body; history and the feed follow.
approved = approve_commune_report.sync("07273", "2024-06", client=district)
check("approved with no body", isinstance(approved, ReportView) and approved.status.value in ("approved", "locked"), True)
revisions = list_report_revisions.sync("07273", "2024-06", client=district)
check("revisions, oldest first", [r.revision for r in revisions.items], [1, 2])
changes = list_report_changes.sync("07273", "2024-06", client=district)
check("changes listed", len(changes.items), 2)
feed = get_feed.sync(client=admin)
approvals = [i for i in feed.items if isinstance(i, FeedReportApprovedItem)]
check("feed: the approval, typed", [a.payload.values.dossiers_received_online for a in approvals], [168])
scores = get_commune_scores.sync("07273", client=district, period="2024-06")
check("score card", scores.score, 99.88)

# A refused report comes back as a typed problem.
bad = dict(seed, values=dict(seed["values"], computers=-2))
refused = put_commune_report.sync_detailed("07273", "2024-05", client=commune, body=ReportBody.from_dict(bad))
check("422", refused.status_code.value, 422)
problem = refused.parsed
check("a typed problem", isinstance(problem, Problem), True)
check("its type", problem.type_.value, "urn:cchc:problem:validation-failed")
check("its finding", [(f.code, f.indicators) for f in problem.errors if f.severity.value == "error"],
      [("negative_value", ["computers"])])
check("nothing else unset", problem.errors is UNSET, False)
print("the generated client ran the whole flow")
