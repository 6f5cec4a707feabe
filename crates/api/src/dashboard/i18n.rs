//! The dashboard's two languages: Vietnamese (the default) and English, chosen with `?lang=`
//! (remembered in a cookie). Every text a page shows is looked up here by key, so a missing
//! translation is caught by a unit test rather than by a user.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{Ready, ready};

use cchc_domain::ranking::Standing;
use cchc_domain::{Month, Period, Role};

/// The cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "cchc_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// The language a page offers to switch to.
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

/// The language of the current request, put in the request's extensions by the dashboard's
/// middleware (Vietnamese when absent).
impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Lang, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(req.extensions().get::<Lang>().copied().unwrap_or_default()))
    }
}

/// Key, Vietnamese, English.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("app.name", "CCHC cấp xã", "Commune PAR reports"),
    ("app.skip", "Bỏ qua, đến nội dung chính", "Skip to main content"),
    ("app.switch_lang", "English", "Tiếng Việt"),
    ("app.signed_in_as", "Đang đăng nhập", "Signed in as"),
    (
        "app.footer",
        "Báo cáo cải cách hành chính hằng tháng của các xã",
        "Monthly administrative-reform reports of communes",
    ),
    ("nav.label", "Điều hướng chính", "Main navigation"),
    ("nav.rankings", "Xếp hạng", "Rankings"),
    ("nav.completeness", "Tình hình báo cáo", "Completeness"),
    ("nav.my_commune", "Xã của tôi", "My commune"),
    ("auth.sign_in", "Đăng nhập", "Sign in"),
    ("auth.sign_out", "Đăng xuất", "Sign out"),
    ("auth.username", "Tên đăng nhập", "Username"),
    ("auth.password", "Mật khẩu", "Password"),
    (
        "auth.intro",
        "Dành cho cán bộ xã, huyện, tỉnh. Dùng tài khoản đã được cấp.",
        "For commune, district and province officers. Use the account you were given.",
    ),
    ("auth.wrong", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    (
        "auth.too_many",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau (giây):",
        "Too many failed sign-ins. Please try again in (seconds):",
    ),
    ("auth.signed_out", "Bạn đã đăng xuất.", "You have signed out."),
    (
        "auth.expired",
        "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
        "Your session has ended. Please sign in again.",
    ),
    ("role.commune", "Cán bộ xã", "Commune officer"),
    ("role.district", "Cán bộ huyện", "District officer"),
    ("role.province", "Cán bộ tỉnh", "Province officer"),
    ("role.portal", "Cổng dịch vụ công", "Public service portal"),
    ("role.admin", "Quản trị hệ thống", "Administrator"),
    ("period.label", "Kỳ báo cáo", "Period"),
    ("period.months", "Tháng", "Months"),
    ("period.quarters", "Quý", "Quarters"),
    ("period.halves", "Nửa năm", "Half-years"),
    ("period.years", "Năm", "Years"),
    ("picker.unit", "Đơn vị", "Unit"),
    ("picker.country", "Toàn quốc", "Whole country"),
    ("picker.show", "Xem", "Show"),
    ("rankings.title", "Xếp hạng các xã", "Ranking of communes"),
    (
        "rankings.caption",
        "Xếp hạng theo điểm CCHC; bấm tiêu đề cột để sắp xếp.",
        "Ranked by PAR score; select a column heading to sort.",
    ),
    ("rankings.summary_communes", "Số xã", "Communes"),
    ("rankings.summary_ranked", "Được xếp hạng", "Ranked"),
    ("rankings.summary_missing", "Chưa báo cáo", "Not reported"),
    (
        "rankings.highlight_note",
        "Các dòng tô nền vàng là xã chưa có báo cáo được tính.",
        "Rows with a yellow background are communes without a counted report.",
    ),
    ("rankings.scheme", "Bộ tiêu chí", "Scheme"),
    ("rankings.download", "Tải về", "Download"),
    ("rankings.download_csv", "Tải CSV", "Download CSV"),
    ("rankings.download_xlsx", "Tải Excel (XLSX)", "Download Excel (XLSX)"),
    ("rankings.empty", "Đơn vị này không có xã nào trong kỳ.", "This unit has no communes in the period."),
    ("col.rank", "Hạng", "Rank"),
    ("col.commune", "Xã", "Commune"),
    ("col.code", "Mã", "Code"),
    ("col.score", "Điểm", "Score"),
    ("col.band", "Xếp loại", "Band"),
    ("col.change", "Thay đổi hạng", "Rank change"),
    ("col.status", "Trạng thái", "Status"),
    ("col.due_date", "Hạn nộp", "Due date"),
    ("col.period", "Kỳ", "Period"),
    ("change.up", "Tăng", "Up"),
    ("change.down", "Giảm", "Down"),
    ("change.places", "bậc", "places"),
    ("change.same", "Không đổi", "No change"),
    ("change.none", "Không có hạng kỳ trước", "No previous rank"),
    ("sort.sorted_by", "Đã sắp xếp theo", "Sorted by"),
    ("sort.ascending", "tăng dần", "ascending"),
    ("sort.descending", "giảm dần", "descending"),
    ("completeness.title", "Tình hình nộp báo cáo", "Reporting completeness"),
    ("completeness.expected", "Phải nộp", "Expected"),
    ("completeness.reported", "Đã nộp", "Reported"),
    ("completeness.on_time", "Đúng hạn", "On time"),
    ("completeness.late", "Trễ hạn", "Late"),
    ("completeness.missing", "Chưa nộp", "Missing"),
    ("completeness.rate", "Tỷ lệ đầy đủ", "Completeness rate"),
    ("completeness.timeliness", "Tỷ lệ đúng hạn", "Timeliness rate"),
    ("completeness.due", "Hạn nộp báo cáo tháng", "Monthly report due on"),
    ("completeness.missing_list", "Các xã chưa có báo cáo được tính", "Communes without a counted report"),
    ("completeness.none_missing", "Tất cả các xã đã nộp báo cáo.", "Every commune has reported."),
    ("commune.title", "Kết quả CCHC của xã", "Commune PAR results"),
    ("commune.rank_in", "Hạng trong", "Rank in"),
    ("commune.of", "trên", "of"),
    ("commune.not_ranked", "Chưa được xếp hạng", "Not ranked"),
    ("commune.breakdown", "Chi tiết điểm theo tiêu chí", "Score by criterion"),
    (
        "commune.no_breakdown",
        "Chưa có báo cáo được tính trong kỳ này nên chưa có điểm.",
        "No counted report in this period, so there is no score.",
    ),
    ("commune.group", "Nhóm", "Group"),
    ("commune.criterion", "Tiêu chí", "Criterion"),
    ("commune.numerator", "Tử số", "Numerator"),
    ("commune.denominator", "Mẫu số", "Denominator"),
    ("commune.ratio", "Tỷ lệ (%)", "Ratio (%)"),
    ("commune.max", "Tối đa", "Max"),
    ("criterion.missing", "Thiếu số liệu", "Figures not reported"),
    ("criterion.zero_denominator", "Mẫu số bằng 0", "Zero denominator"),
    ("criterion.skipped", "Không tính", "Left out"),
    ("criterion.not_judged", "Không đánh giá được (0 điểm)", "Cannot be judged (0 points)"),
    ("commune.total", "Tổng điểm", "Total"),
    ("commune.trend", "Diễn biến 12 tháng", "12-month trend"),
    (
        "commune.trend_desc",
        "Điểm CCHC và tỷ lệ hồ sơ giải quyết đúng và trước hạn của 12 tháng gần nhất.",
        "PAR score and the share of dossiers resolved early or on time over the last 12 months.",
    ),
    ("commune.trend_table", "Xem số liệu dạng bảng", "Show the figures as a table"),
    ("commune.month", "Tháng", "Month"),
    ("commune.on_time_rate", "Tỷ lệ giải quyết đúng hạn (%)", "Resolved on time (%)"),
    ("commune.no_data", "Chưa có số liệu", "No data yet"),
    ("commune.latest_report", "Báo cáo gần nhất", "Latest report"),
    (
        "commune.no_report",
        "Xã chưa có báo cáo nào trong 12 tháng qua.",
        "The commune has filed no report in the last 12 months.",
    ),
    ("commune.revision", "Lần sửa", "Revision"),
    ("commune.submitted_at", "Gửi lúc", "Submitted at"),
    ("commune.on_time", "Nộp đúng hạn", "Filed on time"),
    ("commune.late", "Nộp trễ hạn", "Filed late"),
    ("commune.review_note", "Ghi chú thẩm định", "Review note"),
    ("commune.figures", "Số liệu báo cáo", "Report figures"),
    ("commune.reported", "Số liệu xã báo cáo", "Figures reported by the commune"),
    ("commune.derived", "Số liệu tính toán", "Computed figures"),
    ("commune.indicator", "Chỉ tiêu", "Indicator"),
    ("commune.value", "Giá trị", "Value"),
    ("commune.findings", "Kết quả kiểm tra số liệu", "Checks on the figures"),
    ("commune.no_findings", "Không có cảnh báo.", "No warnings."),
    ("commune.warning", "Cảnh báo", "Warning"),
    ("commune.error", "Lỗi", "Error"),
    ("commune.yes", "Có", "Yes"),
    ("commune.no", "Không", "No"),
    ("review.title", "Thẩm định báo cáo", "Review the report"),
    ("review.approve", "Phê duyệt báo cáo", "Approve the report"),
    ("review.return", "Trả lại để chỉnh sửa", "Return for correction"),
    ("review.reason", "Lý do trả lại (bắt buộc)", "Reason for returning (required)"),
    ("review.not_open", "Báo cáo không ở trạng thái chờ thẩm định.", "The report is not awaiting review."),
    ("review.done_approved", "Đã phê duyệt báo cáo.", "The report was approved."),
    ("review.done_returned", "Đã trả lại báo cáo cho xã.", "The report was returned to the commune."),
    ("review.err_reason_required", "Cần nhập lý do khi trả lại báo cáo.", "A reason is required to return a report."),
    ("review.err_reason_too_long", "Lý do không được dài quá 2000 ký tự.", "The reason is limited to 2000 characters."),
    (
        "review.err_wrong_state",
        "Không thể thực hiện: trạng thái báo cáo đã thay đổi.",
        "Not possible: the report's status does not allow it.",
    ),
    (
        "review.err_stale",
        "Báo cáo vừa được thay đổi; hãy xem lại trước khi thao tác.",
        "The report changed meanwhile; check it again before acting.",
    ),
    ("review.err_not_found", "Không tìm thấy báo cáo.", "The report was not found."),
    ("entry.title", "Nhập báo cáo CCHC", "Enter the PAR report"),
    ("entry.edit", "Nhập / sửa báo cáo", "Enter / edit the report"),
    ("entry.due", "Hạn nộp", "Due"),
    ("entry.not_started", "Chưa nhập", "Not started"),
    ("entry.required", "Bắt buộc khi gửi báo cáo", "Required to submit"),
    ("entry.not_reported", "— Chưa báo cáo —", "— Not reported —"),
    ("entry.dossiers", "Tình hình giải quyết hồ sơ TTHC (Biểu 06/VPCP/KSTT)", "One-stop dossiers (Biểu 06/VPCP/KSTT)"),
    ("entry.block.received", "Tiếp nhận", "Received"),
    ("entry.block.resolved", "Đã giải quyết", "Resolved"),
    ("entry.block.pending", "Đang giải quyết", "Pending"),
    ("entry.sum", "Tổng các thành phần", "Sum of the parts"),
    (
        "entry.identity_ok",
        "Tổng tiếp nhận bằng đã giải quyết cộng đang giải quyết.",
        "Received equals resolved plus pending.",
    ),
    (
        "entry.identity_off",
        "Tổng tiếp nhận phải bằng đã giải quyết cộng đang giải quyết:",
        "Received must equal resolved plus pending:",
    ),
    ("entry.part_off", "Tổng đã nhập khác tổng các thành phần", "The total typed differs from the sum of its parts"),
    ("entry.narrative", "Nội dung báo cáo", "The report's text"),
    ("entry.section.direction", "I. Direction and management", "I. Direction and management"),
    ("entry.section.results", "II. Results of the PAR work", "II. Results of the PAR work"),
    ("entry.section.strengths", "III.1 Strengths", "III.1 Strengths"),
    ("entry.section.limitations", "III.2 Shortcomings", "III.2 Shortcomings"),
    ("entry.section.causes", "III.3 Causes", "III.3 Causes"),
    ("entry.section.next_month", "IV. Tasks for next month", "IV. Tasks for next month"),
    ("entry.check", "Kiểm tra số liệu", "Check the figures"),
    ("entry.draft", "Lưu nháp", "Save a draft"),
    ("entry.submit", "Gửi báo cáo", "Submit the report"),
    (
        "entry.kept",
        "Nội dung đang nhập được giữ trong trình duyệt cho đến khi máy chủ lưu xong, kể cả khi mất kết nối.",
        "What you type is kept in this browser until the server has stored it, even if the connection drops.",
    ),
    (
        "entry.done_draft",
        "Đã lưu nháp. Báo cáo chưa được gửi.",
        "The draft was saved. The report is not submitted yet.",
    ),
    ("entry.done_submitted", "Đã gửi báo cáo.", "The report was submitted."),
    ("entry.checked_clean", "Kiểm tra xong: số liệu không có lỗi hay cảnh báo.", "Checked: no errors and no warnings."),
    ("entry.checked_warnings", "Kiểm tra xong, không có lỗi; số cảnh báo:", "Checked, no errors; warnings:"),
    ("entry.has_errors", "Báo cáo chưa được lưu vì có lỗi; số lỗi:", "Nothing was stored: the report has errors:"),
    (
        "entry.changed_meanwhile",
        "Báo cáo đã được thay đổi trong lúc bạn nhập; nội dung bạn nhập chưa được lưu.",
        "The report changed while you were typing; what you typed was not stored.",
    ),
    ("entry.changed_title", "Báo cáo đã thay đổi trong lúc bạn nhập", "The report changed while you were typing"),
    (
        "entry.changed_text",
        "Dưới đây là những số liệu khác nhau giữa bản đã lưu và bản bạn đang nhập. Sửa lại nếu cần rồi gửi lại: lần gửi này dựa trên bản đã lưu mới nhất.",
        "Below are the figures where the stored report and your typing differ. Correct what is needed and send again: this time it is based on the latest stored report.",
    ),
    ("entry.stored", "Đã lưu", "Stored"),
    ("entry.typed", "Bạn nhập", "You typed"),
    (
        "entry.already_submitted",
        "Báo cáo đã được gửi, không thể lưu nháp đè lên; hãy gửi bản sửa.",
        "The report is submitted; a draft cannot replace it — submit the correction instead.",
    ),
    (
        "entry.closed",
        "Báo cáo đã được phê duyệt hoặc đã khóa, không thể sửa.",
        "The report is approved or locked and cannot be edited.",
    ),
    (
        "entry.restored",
        "Đã khôi phục nội dung chưa gửi được lưu trong trình duyệt này.",
        "Restored what you typed and had not sent yet, kept in this browser.",
    ),
    ("entry.discard", "Bỏ nội dung khôi phục", "Discard it"),
    (
        "entry.prefilled",
        "Tháng mới: phần nội dung lấy từ báo cáo tháng trước, số hồ sơ kỳ trước chuyển qua lấy từ số đang giải quyết cuối tháng trước.",
        "A new month: the text starts from last month's report, carried-over dossiers from last month's pending.",
    ),
    ("entry.domain.direction", "Công tác chỉ đạo, điều hành", "Direction and management"),
    ("entry.domain.institutions", "Cải cách thể chế", "Institutional reform"),
    ("entry.domain.procedures", "Cải cách thủ tục hành chính", "Administrative procedures"),
    ("entry.domain.organization", "Cải cách tổ chức bộ máy", "Organisation"),
    ("entry.domain.civil_service", "Cải cách chế độ công vụ", "Civil service"),
    ("entry.domain.public_finance", "Cải cách tài chính công", "Public finance"),
    ("entry.domain.digital_government", "Xây dựng chính quyền điện tử, chính quyền số", "Digital government"),
    ("entry.domain.impact", "Tác động của CCHC", "Impact"),
    ("entry.unit.count", "số", "number"),
    ("entry.unit.percent", "%", "%"),
    ("entry.unit.vnd", "đồng", "đồng"),
    ("entry.unit.m2", "m²", "m²"),
    ("entry.unit.yes_no", "có/không", "yes/no"),
    ("entry.months", "Báo cáo các tháng", "Monthly reports"),
    ("entry.open", "Nhập báo cáo", "Enter"),
    ("entry.due_col", "Hạn nộp", "Due"),
    ("action.save_draft", "Lưu nháp", "Saved a draft"),
    ("action.submit", "Gửi báo cáo", "Submitted"),
    ("action.approve", "Phê duyệt", "Approved"),
    ("action.return", "Trả lại", "Returned"),
    ("action.reopen", "Mở lại", "Reopened"),
    ("commune.narrative", "Nội dung báo cáo", "The report's text"),
    ("commune.history", "Lịch sử báo cáo", "The report's history"),
    ("commune.actor", "Người thực hiện", "By"),
    ("commune.action", "Thao tác", "Action"),
    ("commune.at", "Thời gian", "When"),
    ("commune.reason", "Lý do", "Reason"),
    ("commune.reviewed", "Thẩm định bởi", "Reviewed by"),
    ("commune.changes", "Những gì đã thay đổi", "What changed"),
    ("commune.since_revision", "So với lần sửa", "Since revision"),
    ("commune.since_month", "So với", "Compared with"),
    ("commune.no_changes", "Số liệu không thay đổi.", "No figure changed."),
    ("commune.before", "Trước", "Before"),
    ("commune.after", "Sau", "After"),
    ("review.reopen", "Mở lại báo cáo", "Reopen the report"),
    ("review.reopen_reason", "Lý do mở lại (bắt buộc)", "Reason for reopening (required)"),
    (
        "review.done_reopened",
        "Đã mở lại báo cáo: xã có thể chỉnh sửa, báo cáo chờ thẩm định lại.",
        "The report was reopened: the commune may correct it, and it awaits review again.",
    ),
    ("completeness.late_list", "Các xã nộp báo cáo trễ hạn", "Communes that reported late"),
    ("completeness.none_late", "Không có xã nào nộp trễ hạn.", "No commune reported late."),
    ("nav.consolidated", "Biểu tổng hợp", "Consolidated table"),
    ("consolidated.title", "Biểu tổng hợp kết quả CCHC", "Consolidated PAR table"),
    ("consolidated.caption", "Kết quả CCHC của các xã", "The communes' PAR results"),
    ("consolidated.download", "Tải về", "Download"),
    (
        "consolidated.note",
        "Bảng dưới đây là các số liệu Biểu 06, tiến độ và điểm; tệp tải về có đủ mọi chỉ tiêu. Hàng tổng cộng bằng số liệu tổng hợp của đơn vị.",
        "The table shows the Biểu 06 figures, timeliness and scores; the downloads hold every indicator. The totals row equals the unit's aggregates.",
    ),
    ("consolidated.total", "Tổng cộng", "Total"),
    ("consolidated.report_docx", "Báo cáo tổng hợp (Word)", "Consolidated report (Word)"),
    ("commune.report_docx", "Tải báo cáo (Word)", "Download the report (Word)"),
    ("consolidated.months", "Tháng đã báo cáo / đúng hạn", "Months reported / on time"),
    ("consolidated.col.dossiers_received_total", "Tổng tiếp nhận", "Received"),
    ("consolidated.col.dossiers_received_online", "Trực tuyến", "Online"),
    ("consolidated.col.dossiers_resolved_early", "Giải quyết trước hạn", "Resolved early"),
    ("consolidated.col.dossiers_resolved_on_time", "Giải quyết đúng hạn", "Resolved on time"),
    ("consolidated.col.dossiers_resolved_overdue", "Giải quyết quá hạn", "Resolved late"),
    ("consolidated.col.dossiers_pending_total", "Đang giải quyết", "Pending"),
    ("consolidated.col.dossiers_pending_overdue", "Đang quá hạn", "Pending overdue"),
    ("consolidated.col.resolved_on_time_rate", "Đúng hạn (%)", "On time (%)"),
    ("consolidated.col.online_rate", "Trực tuyến (%)", "Online (%)"),
    ("error.back", "Về trang đầu", "Back to the start page"),
    ("error.details", "Chi tiết kỹ thuật", "Technical details"),
    ("error.request_id", "Mã yêu cầu", "Request id"),
    ("error.400.title", "Yêu cầu không hợp lệ", "Invalid request"),
    (
        "error.400.text",
        "Địa chỉ hoặc dữ liệu gửi lên không đúng định dạng.",
        "The address or the data sent is not in the expected form.",
    ),
    ("error.403.title", "Không có quyền truy cập", "Access denied"),
    (
        "error.403.text",
        "Trang này nằm ngoài phạm vi đơn vị của bạn, hoặc yêu cầu không hợp lệ.",
        "This page is outside your unit's scope, or the request was not valid.",
    ),
    ("error.404.title", "Không tìm thấy", "Not found"),
    ("error.404.text", "Không có trang hoặc dữ liệu này.", "There is no such page or data."),
    ("error.405.title", "Thao tác không được hỗ trợ", "Method not allowed"),
    ("error.405.text", "Trang này không hỗ trợ thao tác đó.", "This page does not support that action."),
    ("error.409.title", "Không thể thực hiện", "Not possible"),
    ("error.409.text", "Thao tác xung đột với trạng thái hiện tại.", "The action conflicts with the current state."),
    ("error.429.title", "Quá nhiều yêu cầu", "Too many requests"),
    ("error.429.text", "Vui lòng đợi một lát rồi thử lại.", "Please wait a moment and try again."),
    ("error.500.title", "Lỗi hệ thống", "Something went wrong"),
    (
        "error.500.text",
        "Đã có lỗi ở máy chủ; lỗi đã được ghi lại cùng mã yêu cầu.",
        "The server failed; the error was logged with the request id.",
    ),
    ("error.503.title", "Tạm thời không phục vụ được", "Temporarily unavailable"),
    (
        "error.503.text",
        "Cơ sở dữ liệu đang bận hoặc không truy cập được. Vui lòng thử lại.",
        "The database is busy or unreachable. Please try again.",
    ),
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| MESSAGES.iter().map(|(k, vi, en)| (*k, (*vi, *en))).collect())
}

/// Whether `key` has a translation.
pub fn has(key: &str) -> bool {
    table().contains_key(key)
}

/// Texts in one language, for templates: `{{ tr.t("nav.rankings") }}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The text for `key`; the key itself when there is none (a unit test keeps that from
    /// happening for every key the dashboard uses).
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match (table().get(key), self.lang) {
            (Some((vi, _)), Lang::Vi) => vi,
            (Some((_, en)), Lang::En) => en,
            (None, _) => key,
        }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// The name of a standing (the domain keeps both languages, for tables and documents too).
    pub fn status(&self, standing: Standing) -> &'static str {
        match self.lang {
            Lang::Vi => standing.label_vi(),
            Lang::En => standing.label_en(),
        }
    }

    pub fn role(&self, role: Role) -> &'static str {
        self.t(match role {
            Role::Commune => "role.commune",
            Role::District => "role.district",
            Role::Province => "role.province",
            Role::Portal => "role.portal",
            Role::Admin => "role.admin",
        })
    }

    /// "Tháng 6/2024", "Quý 2/2024", "6 tháng đầu năm 2024", "Năm 2024" — or in English
    /// "June 2024", "Q2 2024", "H1 2024", "2024".
    pub fn period(&self, p: &Period) -> String {
        match (self.lang, *p) {
            (Lang::Vi, Period::Month(m)) => format!("Tháng {}/{}", m.month(), m.year()),
            (Lang::Vi, Period::Quarter { year, quarter }) => format!("Quý {quarter}/{year}"),
            (Lang::Vi, Period::Half { year, half: 1 }) => format!("6 tháng đầu năm {year}"),
            (Lang::Vi, Period::Half { year, .. }) => format!("6 tháng cuối năm {year}"),
            (Lang::Vi, Period::NineMonths(year)) => format!("9 tháng đầu năm {year}"),
            (Lang::Vi, Period::Year(year)) => format!("Năm {year}"),
            (Lang::En, Period::Month(m)) => format!("{} {}", MONTHS_EN[(m.month() as usize + 11) % 12], m.year()),
            (Lang::En, Period::Quarter { year, quarter }) => format!("Q{quarter} {year}"),
            (Lang::En, Period::Half { year, half }) => format!("H{half} {year}"),
            (Lang::En, Period::NineMonths(year)) => format!("Jan–Sep {year}"),
            (Lang::En, Period::Year(year)) => year.to_string(),
        }
    }

    /// A month in a chart's axis: `06/24` in both languages.
    pub fn month_short(&self, m: Month) -> String {
        format!("{:02}/{:02}", m.month(), m.year().rem_euclid(100))
    }

    /// A number with `decimals` places: `99,88` and `1.234` in Vietnamese, `99.88` and `1,234`
    /// in English.
    pub fn number(&self, x: f64, decimals: usize) -> String {
        let text = format!("{:.*}", decimals, x.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let (group, point) = match self.lang {
            Lang::Vi => ('.', ','),
            Lang::En => (',', '.'),
        };
        let mut out = String::with_capacity(text.len() + 4);
        if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
            out.push('-');
        }
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                out.push(group);
            }
            out.push(c);
        }
        if !frac.is_empty() {
            out.push(point);
            out.push_str(frac);
        }
        out
    }

    /// A score or rate: two decimals, trailing zeros dropped (`99,4`, `100`).
    pub fn decimal(&self, x: f64) -> String {
        let s = self.number(x, 2);
        let point = if self.lang == Lang::Vi { ',' } else { '.' };
        if s.contains(point) { s.trim_end_matches('0').trim_end_matches(point).to_owned() } else { s }
    }

    pub fn opt_decimal(&self, x: Option<f64>) -> String {
        x.map(|x| self.decimal(x)).unwrap_or_else(|| "—".to_owned())
    }
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_translate_in_both_languages() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(vi.t("nav.rankings"), "Xếp hạng");
        assert_eq!(en.t("nav.rankings"), "Rankings");
        assert_eq!(vi.t("no.such.key"), "no.such.key");
        assert_eq!(vi.status(Standing::Missing), "Chưa báo cáo");
        assert_eq!(en.status(Standing::Returned), "Returned");
        assert_eq!(vi.role(Role::District), "Cán bộ huyện");
    }

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (key, vi, en) in MESSAGES {
            assert!(seen.insert(key), "`{key}` is listed twice");
            assert!(!vi.trim().is_empty() && !en.trim().is_empty(), "`{key}` lacks a translation");
        }
    }

    /// Every `t("…")` in the templates and the dashboard's code names a key that exists.
    #[test]
    fn every_key_used_exists() {
        let sources = [
            include_str!("../../templates/dashboard/base.html"),
            include_str!("../../templates/dashboard/login.html"),
            include_str!("../../templates/dashboard/rankings.html"),
            include_str!("../../templates/dashboard/completeness.html"),
            include_str!("../../templates/dashboard/commune.html"),
            include_str!("../../templates/dashboard/error.html"),
            include_str!("../../templates/dashboard/picker.html"),
            include_str!("../../templates/dashboard/report_form.html"),
            include_str!("../../templates/dashboard/consolidated.html"),
            include_str!("../../templates/dashboard/field.html"),
            include_str!("entry.rs"),
            include_str!("mod.rs"),
            include_str!("pages.rs"),
            include_str!("views/mod.rs"),
            include_str!("views/commune.rs"),
            include_str!("views/consolidated.rs"),
            include_str!("session.rs"),
        ];
        let mut used = 0;
        for src in sources {
            for part in src.split("t(\"").skip(1) {
                let Some(key) = part.split('"').next() else { continue };
                if key.contains('.') && !key.contains(' ') {
                    used += 1;
                    assert!(has(key), "the key `{key}` is used but has no translation");
                }
            }
        }
        assert!(used > 50, "only {used} keys found: is the scan still right?");
    }

    #[test]
    fn every_consolidated_column_has_a_heading() {
        for code in crate::dashboard::views::CONSOLIDATED_COLUMNS {
            assert!(has(&format!("consolidated.col.{code}")), "{code}");
        }
    }

    #[test]
    fn every_review_action_has_a_name() {
        use cchc_domain::workflow::Action;
        for a in [Action::SaveDraft, Action::Submit, Action::Approve, Action::Return, Action::Reopen] {
            assert!(has(&format!("action.{}", a.as_str())), "{a:?}");
        }
    }

    #[test]
    fn periods_read_naturally() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        let p = |s| Period::parse(s).unwrap();
        assert_eq!(vi.period(&p("2024-06")), "Tháng 6/2024");
        assert_eq!(en.period(&p("2024-06")), "June 2024");
        assert_eq!(vi.period(&p("2024Q2")), "Quý 2/2024");
        assert_eq!(en.period(&p("2024Q2")), "Q2 2024");
        assert_eq!(vi.period(&p("2024S2")), "6 tháng cuối năm 2024");
        assert_eq!(vi.period(&p("2024")), "Năm 2024");
        assert_eq!(en.period(&p("2024")), "2024");
        assert_eq!(vi.month_short("2023-07".parse().unwrap()), "07/23");
    }

    #[test]
    fn numbers_use_each_language_s_separators() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(vi.number(1234567.891, 2), "1.234.567,89");
        assert_eq!(en.number(1234567.891, 2), "1,234,567.89");
        assert_eq!(vi.number(168.0, 0), "168");
        assert_eq!(en.number(-1234.5, 1), "-1,234.5");
        assert_eq!(vi.number(-0.001, 2), "0,00");
        assert_eq!(vi.decimal(99.88), "99,88");
        assert_eq!(en.decimal(99.4), "99.4");
        assert_eq!(vi.decimal(100.0), "100");
        assert_eq!(en.opt_decimal(None), "—");
    }

    #[test]
    fn languages_parse_and_switch() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::default(), Lang::Vi);
        assert_eq!(Lang::Vi.other(), Lang::En);
    }
}
