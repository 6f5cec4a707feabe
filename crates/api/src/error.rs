//! One error type for the whole API, rendered as RFC 9457 problem details. Its kinds are the
//! API's problem types — each with its HTTP status, a stable `type` URN and a Vietnamese and an
//! English title — so a client (and the dashboard) can tell a closed report from a wrong state
//! without reading prose. The field's own errors (`cchc_domain`) and storage errors are mapped
//! here once; no database text ever reaches a client (it goes to the log with the request id).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::Finding;
use cchc_domain::access::{Denied, PrincipalError};
use cchc_domain::accounts::AccountError;
use cchc_domain::hierarchy::HierarchyError;
use cchc_domain::period::PeriodError;
use cchc_domain::scoring::SchemeError;
use cchc_domain::text::ControlCharacter;
use cchc_domain::units::{UnitCodeError, UnitNameError};
use cchc_domain::workflow::{ReasonError, WorkflowError};
use cchc_persistence::DbError;

pub const PROBLEM_JSON: &str = "application/problem+json";

macro_rules! problems {
    ($($kind:ident = $slug:literal, $status:literal, $en:literal, $vi:literal;)+) => {
        /// The API's problem types.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Problem {
            $($kind,)+
        }

        impl Problem {
            pub const ALL: &'static [Problem] = &[$(Problem::$kind,)+];

            /// The last part of the `type` URN: `wrong-state`.
            pub fn slug(self) -> &'static str {
                match self {
                    $(Problem::$kind => $slug,)+
                }
            }

            pub fn status(self) -> StatusCode {
                let code = match self {
                    $(Problem::$kind => $status,)+
                };
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }

            pub fn title(self) -> &'static str {
                match self {
                    $(Problem::$kind => $en,)+
                }
            }

            pub fn title_vi(self) -> &'static str {
                match self {
                    $(Problem::$kind => $vi,)+
                }
            }
        }
    };
}

problems! {
    BadRequest = "bad-request", 400, "The request cannot be read", "Yêu cầu không đọc được";
    InvalidUnitCode = "invalid-unit-code", 400, "Not a unit code", "Mã đơn vị không hợp lệ";
    InvalidPeriod = "invalid-period", 400, "Not a period this route takes", "Kỳ báo cáo không hợp lệ";
    InvalidPaging = "invalid-paging", 400, "Not a limit or cursor this list takes", "Tham số phân trang không hợp lệ";
    InvalidUnitName = "invalid-unit-name", 400, "Not a unit name", "Tên đơn vị không hợp lệ";
    InvalidParent = "invalid-parent", 400, "A unit of this level cannot sit there", "Đơn vị cấp trên không phù hợp";
    InvalidUsername = "invalid-username", 400, "Not a username", "Tên đăng nhập không hợp lệ";
    WeakPassword = "weak-password", 400, "The password is too short", "Mật khẩu quá ngắn";
    RoleUnitMismatch = "role-unit-mismatch", 400, "The role and the unit do not fit", "Vai trò và đơn vị không khớp";
    UnknownUnit = "unknown-unit", 400, "The request names a unit that does not exist", "Đơn vị được nêu không tồn tại";
    ReasonTooLong = "reason-too-long", 400, "The reason is too long", "Lý do quá dài";
    InvalidText = "invalid-text", 400, "The text holds a control character", "Văn bản chứa ký tự điều khiển";
    Unauthorized = "unauthorized", 401, "Authentication required", "Cần đăng nhập";
    SignInFailed = "sign-in-failed", 401, "Wrong username or password", "Sai tên đăng nhập hoặc mật khẩu";
    RoleNotAllowed = "role-not-allowed", 403, "Not for your role", "Vai trò của bạn không được phép";
    OutsideScope = "outside-scope", 403, "Outside your scope", "Ngoài phạm vi của bạn";
    CsrfRejected = "csrf-rejected", 403, "The form is not one this server issued", "Biểu mẫu không hợp lệ";
    NotFound = "not-found", 404, "Not found", "Không tìm thấy";
    UnitNotFound = "unit-not-found", 404, "No such unit in that period", "Không có đơn vị này trong kỳ";
    ReportNotFound = "report-not-found", 404, "No such report", "Không có báo cáo này";
    UserNotFound = "user-not-found", 404, "No such user", "Không có người dùng này";
    SchemeNotFound = "scheme-not-found", 404, "No such scoring scheme", "Không có bộ tiêu chí này";
    MethodNotAllowed = "method-not-allowed", 405, "Method not allowed", "Thao tác không được hỗ trợ";
    NotAcceptable = "not-acceptable", 406, "None of the media types asked for is offered", "Không có định dạng được yêu cầu";
    ReportClosed = "report-closed", 409, "The report is closed to edits", "Báo cáo đã đóng, không sửa được";
    AlreadySubmitted = "already-submitted", 409, "The report is already submitted", "Báo cáo đã được gửi";
    WrongState = "wrong-state", 409, "Not possible in the report's status", "Trạng thái báo cáo không cho phép";
    ReasonRequired = "reason-required", 409, "A reason is required", "Cần nêu lý do";
    UnitExists = "unit-exists", 409, "The unit exists already", "Đơn vị đã tồn tại";
    UnitConflict = "unit-conflict", 409, "The change contradicts the unit's history", "Thay đổi mâu thuẫn với lịch sử đơn vị";
    UserExists = "user-exists", 409, "The user exists already", "Người dùng đã tồn tại";
    SchemeConflict = "scheme-conflict", 409, "The scheme version cannot be added", "Không thêm được phiên bản bộ tiêu chí";
    ConcurrentChange = "concurrent-change", 409, "Changed by another request at the same time", "Dữ liệu vừa bị thay đổi đồng thời";
    StaleRevision = "stale-revision", 412, "The report has changed since you read it", "Báo cáo đã thay đổi từ khi bạn mở";
    PayloadTooLarge = "payload-too-large", 413, "The body is too large", "Dữ liệu gửi lên quá lớn";
    UriTooLong = "uri-too-long", 414, "The address is too long", "Địa chỉ yêu cầu quá dài";
    UnsupportedMediaType = "unsupported-media-type", 415, "Unsupported media type", "Định dạng dữ liệu không được hỗ trợ";
    UnreadableDocument = "unreadable-document", 415, "The document is neither UTF-8 text nor a Word file", "Tài liệu không phải văn bản UTF-8 hay tệp Word";
    ValidationFailed = "validation-failed", 422, "The report has errors", "Báo cáo có lỗi";
    InvalidScheme = "invalid-scheme", 422, "The scoring scheme has errors", "Bộ tiêu chí có lỗi";
    HeaderTooLarge = "header-too-large", 431, "A request header is too large", "Tiêu đề yêu cầu quá lớn";
    TooManySignIns = "too-many-sign-ins", 429, "Too many failed sign-ins", "Đăng nhập sai quá nhiều lần";
    Internal = "internal", 500, "Internal error", "Lỗi hệ thống";
    Unavailable = "unavailable", 503, "The database is unavailable", "Cơ sở dữ liệu tạm thời không phục vụ được";
    WriteContention = "write-contention", 503, "Too many concurrent writes to one record", "Quá nhiều thao tác ghi đồng thời";
}

impl Problem {
    /// The problem `type`: a URN, so that it names the problem without pretending to be a page.
    pub fn type_uri(self) -> String {
        format!("urn:cchc:problem:{}", self.slug())
    }

    /// An error of this kind, with what happened in words.
    pub fn error(self, detail: impl Into<String>) -> AppError {
        AppError {
            problem: self,
            detail: detail.into(),
            findings: Vec::new(),
            allow: None,
            cause: None,
            retry_after: None,
        }
    }

    /// The kind an error response of this status has when nothing more is known (actix's own
    /// answers: an unknown route, a wrong method, a body over a limit).
    pub fn for_status(status: StatusCode) -> Problem {
        match status.as_u16() {
            401 => Problem::Unauthorized,
            403 => Problem::OutsideScope,
            404 => Problem::NotFound,
            405 => Problem::MethodNotAllowed,
            406 => Problem::NotAcceptable,
            409 => Problem::ConcurrentChange,
            412 => Problem::StaleRevision,
            413 => Problem::PayloadTooLarge,
            415 => Problem::UnsupportedMediaType,
            422 => Problem::ValidationFailed,
            429 => Problem::TooManySignIns,
            503 => Problem::Unavailable,
            s if s >= 500 => Problem::Internal,
            _ => Problem::BadRequest,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDocument {
    /// `urn:cchc:problem:<kind>`: one of the kinds listed in the API's description.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    /// The title in Vietnamese.
    pub title_vi: String,
    pub status: u16,
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The id of the request, also in the `X-Request-Id` header and the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For a report that was refused: every finding, errors and warnings.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<Finding>,
}

#[derive(Debug)]
pub struct AppError {
    pub problem: Problem,
    pub detail: String,
    pub findings: Vec<Finding>,
    /// For 405: the methods the resource allows.
    pub allow: Option<String>,
    /// What went wrong inside, for the log (with the request id); never sent to the client.
    pub cause: Option<String>,
    /// For 429: seconds until the client may try again.
    pub retry_after: Option<i64>,
}

/// The internal cause of an error response, picked up by the request middleware for the log.
#[derive(Debug, Clone)]
pub struct ErrorCause(pub String);

impl AppError {
    pub fn document(&self) -> ProblemDocument {
        ProblemDocument {
            type_uri: self.problem.type_uri(),
            title: self.problem.title().to_owned(),
            title_vi: self.problem.title_vi().to_owned(),
            status: self.problem.status().as_u16(),
            detail: self.detail.clone(),
            instance: None,
            request_id: None,
            errors: self.findings.clone(),
        }
    }

    pub fn with_cause(mut self, cause: impl std::fmt::Display) -> AppError {
        self.cause = Some(cause.to_string());
        self
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.problem.slug(), self.detail)
    }
}

pub fn method_not_allowed(allow: &str) -> AppError {
    let mut e = Problem::MethodNotAllowed.error(format!("this resource allows {allow}"));
    e.allow = Some(allow.to_owned());
    e
}

/// A report refused for its findings (all of them are returned, warnings too).
pub fn validation_failed(findings: Vec<Finding>) -> AppError {
    let errors: Vec<&str> = findings.iter().filter(|f| f.is_error()).map(|f| f.code.as_str()).collect();
    let mut e = Problem::ValidationFailed.error(format!(
        "{} error(s) in the report: {}; nothing was stored",
        errors.len(),
        errors.join(", ")
    ));
    e.findings = findings;
    e
}

/// A fault of ours: logged in full, answered without internals.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    Problem::Internal.error("an internal error occurred; it has been logged with the request id").with_cause(cause)
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => Problem::NotFound.error("the record was not found").with_cause("database: not found"),
            // A rule the application checked first was broken by a request running at the same time.
            e @ (DbError::Duplicate(_) | DbError::Constraint(_)) => Problem::ConcurrentChange
                .error("another request changed the same data at the same time; reload and try again")
                .with_cause(e),
            DbError::Contention => {
                Problem::WriteContention.error("too many concurrent writes to the same report; retry")
            }
            DbError::Unavailable(m) => Problem::Unavailable
                .error("the database is unavailable; retry shortly")
                .with_cause(format!("database unavailable: {m}")),
            other => internal(other),
        }
    }
}

impl From<cchc_persistence::DieselError> for AppError {
    fn from(e: cchc_persistence::DieselError) -> Self {
        DbError::from(e).into()
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        internal(e)
    }
}

impl From<Denied> for AppError {
    fn from(e: Denied) -> Self {
        let kind = match e {
            Denied::Role { .. } => Problem::RoleNotAllowed,
            Denied::Scope { .. } => Problem::OutsideScope,
        };
        kind.error(e.to_string())
    }
}

impl From<WorkflowError> for AppError {
    fn from(e: WorkflowError) -> Self {
        let kind = match e {
            WorkflowError::AlreadySubmitted => Problem::AlreadySubmitted,
            WorkflowError::Closed(_) => Problem::ReportClosed,
            WorkflowError::WrongState { .. } => Problem::WrongState,
            WorkflowError::ReasonRequired(_) => Problem::ReasonRequired,
        };
        kind.error(e.to_string())
    }
}

impl From<HierarchyError> for AppError {
    fn from(e: HierarchyError) -> Self {
        let kind = match e {
            HierarchyError::NoSuchUnit(_) => Problem::UnitNotFound,
            HierarchyError::Exists(_) => Problem::UnitExists,
            _ => Problem::UnitConflict,
        };
        kind.error(e.to_string())
    }
}

impl From<SchemeError> for AppError {
    fn from(e: SchemeError) -> Self {
        let kind = match e {
            SchemeError::OwnedByOther { .. } | SchemeError::NotNext { .. } => Problem::SchemeConflict,
            SchemeError::BadName(_) => Problem::BadRequest,
            SchemeError::Unknown(_) | SchemeError::NoSuchVersion { .. } | SchemeError::NoneApplies { .. } => {
                Problem::SchemeNotFound
            }
        };
        kind.error(e.to_string())
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        let kind = match e {
            AccountError::Username => Problem::InvalidUsername,
            AccountError::Password => Problem::WeakPassword,
            AccountError::Text(_) => Problem::InvalidText,
        };
        kind.error(e.to_string())
    }
}

impl From<PrincipalError> for AppError {
    fn from(e: PrincipalError) -> Self {
        Problem::RoleUnitMismatch.error(e.to_string())
    }
}

impl From<UnitCodeError> for AppError {
    fn from(e: UnitCodeError) -> Self {
        Problem::InvalidUnitCode.error(e.to_string())
    }
}

impl From<UnitNameError> for AppError {
    fn from(e: UnitNameError) -> Self {
        let kind = match e {
            UnitNameError::Length => Problem::InvalidUnitName,
            UnitNameError::Text(_) => Problem::InvalidText,
        };
        kind.error(e.to_string())
    }
}

impl From<cchc_domain::calendar::CalendarDayError> for AppError {
    fn from(e: cchc_domain::calendar::CalendarDayError) -> Self {
        use cchc_domain::calendar::CalendarDayError;
        match e {
            CalendarDayError::Text(t) => t.into(),
            other => Problem::BadRequest.error(other.to_string()),
        }
    }
}

impl From<ControlCharacter> for AppError {
    fn from(e: ControlCharacter) -> Self {
        Problem::InvalidText.error(format!("{e}; text may not hold control characters"))
    }
}

impl From<PeriodError> for AppError {
    fn from(e: PeriodError) -> Self {
        Problem::InvalidPeriod.error(e.to_string())
    }
}

impl From<ReasonError> for AppError {
    fn from(e: ReasonError) -> Self {
        match e {
            ReasonError::TooLong => Problem::ReasonTooLong.error(e.to_string()),
            ReasonError::Text(t) => t.into(),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.problem.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.problem.status());
        res.content_type(PROBLEM_JSON);
        if matches!(self.problem, Problem::Unauthorized | Problem::SignInFailed) {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(allow) = &self.allow {
            res.insert_header((header::ALLOW, allow.as_str()));
        }
        if let Some(seconds) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        let mut response = res.json(self.document());
        response.extensions_mut().insert(self.problem);
        if let Some(cause) = &self.cause {
            response.extensions_mut().insert(ErrorCause(cause.clone()));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_types_and_both_titles() {
        let mut slugs: Vec<&str> = Problem::ALL.iter().map(|p| p.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), Problem::ALL.len(), "two kinds share a type");
        for p in Problem::ALL {
            assert!(p.status().is_client_error() || p.status().is_server_error(), "{p:?}");
            assert!(!p.title().is_empty() && !p.title_vi().is_empty(), "{p:?}");
        }
        assert_eq!(Problem::WrongState.type_uri(), "urn:cchc:problem:wrong-state");
    }

    /// Every kind is produced somewhere (as Lemmy checks its error codes): a kind nothing
    /// produces is a promise in the contract that the code does not keep.
    #[test]
    fn every_kind_is_produced() {
        fn sources(dir: &std::path::Path, out: &mut String) {
            for entry in std::fs::read_dir(dir).expect("the crate's sources are readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("error.rs") {
                    out.push_str(&std::fs::read_to_string(&path).expect("a readable source file"));
                }
            }
        }
        let mut code = String::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut code);
        // This file counts too (its conversions produce kinds), but not the list of kinds itself
        // nor these tests.
        let this = include_str!("error.rs");
        let list_start = this.find("problems! {").unwrap_or(0);
        let list_end = this[list_start..].find("\n}\n").map_or(this.len(), |i| list_start + i);
        let tests = this.find("#[cfg(test)]").unwrap_or(this.len());
        code.push_str(&this[..list_start]);
        code.push_str(&this[list_end..tests]);
        let unused: Vec<String> = Problem::ALL
            .iter()
            .map(|p| format!("Problem::{p:?}"))
            .filter(|name| !code.contains(name.as_str()))
            .collect();
        assert!(unused.is_empty(), "never produced outside error.rs: {unused:?}");
    }
}
