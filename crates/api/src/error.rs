//! One error type for the whole API, rendered as RFC 9457 problem details. Its codes are the
//! API's error codes; storage errors are mapped here once.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::Finding;
use cchc_persistence::DbError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    TooManyRequests,
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem `type`: a URN, so that it names the problem without pretending to be a page.
    pub fn type_uri(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "urn:cchc:problem:bad-request",
            ErrorCode::Unauthorized => "urn:cchc:problem:unauthorized",
            ErrorCode::Forbidden => "urn:cchc:problem:forbidden",
            ErrorCode::NotFound => "urn:cchc:problem:not-found",
            ErrorCode::MethodNotAllowed => "urn:cchc:problem:method-not-allowed",
            ErrorCode::Conflict => "urn:cchc:problem:conflict",
            ErrorCode::PreconditionFailed => "urn:cchc:problem:precondition-failed",
            ErrorCode::PayloadTooLarge => "urn:cchc:problem:payload-too-large",
            ErrorCode::UnsupportedMediaType => "urn:cchc:problem:unsupported-media-type",
            ErrorCode::ValidationFailed => "urn:cchc:problem:validation-failed",
            ErrorCode::TooManyRequests => "urn:cchc:problem:too-many-requests",
            ErrorCode::ServiceUnavailable => "urn:cchc:problem:service-unavailable",
            ErrorCode::Internal => "urn:cchc:problem:internal",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "The report has errors",
            ErrorCode::Unauthorized => "Authentication required",
            ErrorCode::Forbidden => "Outside your scope",
            other => other.status().canonical_reason().unwrap_or("Error"),
        }
    }

    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status.as_u16() {
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            409 => ErrorCode::Conflict,
            412 => ErrorCode::PreconditionFailed,
            413 => ErrorCode::PayloadTooLarge,
            415 => ErrorCode::UnsupportedMediaType,
            422 => ErrorCode::ValidationFailed,
            429 => ErrorCode::TooManyRequests,
            503 => ErrorCode::ServiceUnavailable,
            s if s >= 500 => ErrorCode::Internal,
            _ => ErrorCode::BadRequest,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
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
    pub code: ErrorCode,
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
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> AppError {
        AppError { code, detail: detail.into(), findings: Vec::new(), allow: None, cause: None, retry_after: None }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: self.code.type_uri().to_owned(),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            instance: None,
            request_id: None,
            errors: self.findings.clone(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.detail)
    }
}

pub fn bad_request(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::BadRequest, detail)
}

pub fn unauthorized(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Unauthorized, detail)
}

pub fn forbidden(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Forbidden, detail)
}

pub fn not_found(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::NotFound, detail)
}

pub fn conflict(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Conflict, detail)
}

pub fn precondition_failed(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::PreconditionFailed, detail)
}

pub fn method_not_allowed(allow: &str) -> AppError {
    let mut e = AppError::new(ErrorCode::MethodNotAllowed, format!("this resource allows {allow}"));
    e.allow = Some(allow.to_owned());
    e
}

/// A report refused for its findings (all of them are returned, warnings too).
pub fn validation_failed(findings: Vec<Finding>) -> AppError {
    let errors: Vec<&str> = findings.iter().filter(|f| f.is_error()).map(|f| f.code.as_str()).collect();
    let mut e = AppError::new(
        ErrorCode::ValidationFailed,
        format!("{} error(s) in the report: {}; nothing was stored", errors.len(), errors.join(", ")),
    );
    e.findings = findings;
    e
}

pub fn unavailable(detail: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::ServiceUnavailable, detail)
}

/// A fault of ours: logged in full, answered without internals.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    let mut e =
        AppError::new(ErrorCode::Internal, "an internal error occurred; it has been logged with the request id");
    e.cause = Some(cause.to_string());
    e
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => not_found("not found"),
            DbError::Duplicate(m) => conflict(format!("already exists ({m})")),
            DbError::Conflict(m) => conflict(m),
            DbError::Stale { expected, current } => precondition_failed(match current {
                Some(c) => format!("If-Match names revision {expected}, but the report is at revision {c}"),
                None => format!("If-Match names revision {expected}, but there is no report yet"),
            }),
            DbError::Contention => {
                AppError::new(ErrorCode::ServiceUnavailable, "too many concurrent writes to the same report; retry")
            }
            DbError::Unavailable(m) => {
                let mut e = unavailable("the database is unavailable; retry shortly");
                e.cause = Some(format!("database unavailable: {m}"));
                e
            }
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.code.status());
        res.content_type(PROBLEM_JSON);
        if self.code == ErrorCode::Unauthorized {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(allow) = &self.allow {
            res.insert_header((header::ALLOW, allow.as_str()));
        }
        if let Some(seconds) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        let mut response = res.json(self.problem());
        if let Some(cause) = &self.cause {
            response.extensions_mut().insert(ErrorCause(cause.clone()));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, AppError>;
