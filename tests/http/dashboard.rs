//! The staff dashboard under `/app/`: sign-in with stored users into an HttpOnly, SameSite=Strict
//! session cookie, redirects to the sign-in page, CSRF tokens on every form, the ranking page,
//! scope (a commune officer and another commune's page), review actions and sign-out.

use std::collections::HashMap;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use cchc_tests::{TestApp, backend_tests, seed_body};

pub(crate) const PASSWORD: &str = "mat-khau-dung";

/// A browser without JavaScript: keeps cookies, does not follow redirects.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: HashMap<String, String>,
}

pub(crate) struct Page {
    pub(crate) status: StatusCode,
    headers: HeaderMap,
    pub(crate) text: String,
}

impl Page {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Set-Cookie` header that sets `name`.
    fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The first form's CSRF token.
    pub(crate) fn csrf(&self) -> String {
        let start = self.text.find(r#"name="csrf" value=""#).expect("a form with a CSRF token") + 19;
        self.text[start..].split('"').next().expect("a closing quote").to_owned()
    }
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Browser<'a> {
        let client =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
        Browser { app, client, cookies: HashMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.cookies.is_empty() { req } else { req.header("cookie", self.cookie_header()) };
        let res = req.send().await.expect("the server answers");
        let status = res.status();
        let headers = res.headers().clone();
        for c in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            let (pair, attributes) = c.split_once(';').unwrap_or((c, ""));
            let (name, value) = pair.split_once('=').expect("a cookie has a name and a value");
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let text = res.text().await.expect("a readable body");
        Page { status, headers, text }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(self.app.url(path));
        self.send(req).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.client.post(self.app.url(path)).form(form);
        self.send(req).await
    }

    /// Signs in through the form; returns the answer to the form's POST.
    pub(crate) async fn sign_in(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/app/login").await;
        assert_eq!(form.status, 200, "{}", form.text);
        let csrf = form.csrf();
        self.post("/app/login", &[("csrf", &csrf), ("username", username), ("password", password), ("next", "/app/")])
            .await
    }
}

/// Yên Thế's communes with June 2024 reports from Đông Sơn and Hương Vĩ (Bố Hạ has none), a
/// district officer and Đông Sơn's commune officer.
pub(crate) async fn setup(app: &TestApp) {
    app.seed_units().await;
    for commune in ["07273", "07279"] {
        let r = app.file(commune, "2024-06", &seed_body()).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for (username, role, unit) in [("yenthe", "district", "215"), ("dongson", "commune", "07273")] {
        let body = json!({"username": username, "password": PASSWORD, "role": role, "unit_code": unit});
        let r = app.post("/api/v1/users", &app.admin(), &body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

fn assert_strict_cookie(set_cookie: &str) {
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/app"), "{set_cookie}");
}

async fn signing_in_sets_an_http_only_strict_session_cookie(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    let form = b.get("/app/login").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(form.header("content-security-policy").is_some_and(|c| c.contains("script-src 'self'")));
    assert!(form.text.contains(r#"<html lang="vi">"#), "{}", form.text);
    assert_strict_cookie(&form.set_cookie("cchc_login").expect("the sign-in form's nonce cookie"));

    // A wrong password: the form again, with a message, and no session.
    let csrf = form.csrf();
    let wrong = b.post("/app/login", &[("csrf", &csrf), ("username", "yenthe"), ("password", "nope")]).await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert!(wrong.text.contains("Sai tên đăng nhập hoặc mật khẩu."), "{}", wrong.text);
    assert!(wrong.set_cookie("cchc_session").is_none());

    let signed = b.sign_in("yenthe", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    assert_eq!(signed.header("location"), Some("/app/"));
    let cookie = signed.set_cookie("cchc_session").expect("a session cookie");
    assert_strict_cookie(&cookie);
    assert!(cookie.contains("Max-Age="), "{cookie}");
    // The session is the API's own token: it works as a bearer token too.
    let token = b.cookies["cchc_session"].clone();
    assert_eq!(app.get("/api/v1/units/215", &token).await.status, 200);

    let home = b.get("/app/").await;
    assert_eq!(home.status, 200, "{}", home.text);
    assert!(home.text.contains("yenthe"), "{}", home.text);
}

async fn pages_without_a_session_redirect_to_sign_in(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    for (path, location) in [
        ("/app/", "/app/login"),
        ("/app/completeness", "/app/login?next=%2Fapp%2Fcompleteness"),
        ("/app/communes/07273?period=2024-06", "/app/login?next=%2Fapp%2Fcommunes%2F07273%3Fperiod%3D2024-06"),
        ("/app/export/rankings.csv", "/app/login?next=%2Fapp%2Fexport%2Frankings.csv"),
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status, 303, "{path}: {}", r.text);
        assert_eq!(r.header("location"), Some(location), "{path}");
    }
    // A forged or expired session is no session, and is cleared.
    b.cookies.insert("cchc_session".into(), "not-a-token".into());
    let r = b.get("/app/").await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, Some("/app/login?expired=1")));
    assert!(r.set_cookie("cchc_session").is_some_and(|c| c.contains("Max-Age=0")));
    assert!(b.get("/app/login?expired=1").await.text.contains("Phiên làm việc đã hết hạn."));
    assert!(!b.cookies.contains_key("cchc_session"));
    // The bare /app goes to /app/.
    let r = b.get("/app").await;
    assert!(r.status.is_redirection());
    assert_eq!(r.header("location"), Some("/app/"));
}

async fn posts_without_the_csrf_token_are_refused(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    // Signing in: the nonce cookie alone, or a token that is not its own, is not enough.
    b.get("/app/login").await;
    let r = b.post("/app/login", &[("username", "yenthe"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let r = b.post("/app/login", &[("csrf", "AAAA"), ("username", "yenthe"), ("password", PASSWORD)]).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(!b.cookies.contains_key("cchc_session"));

    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    let page = b.get("/app/communes/07273?period=2024-06").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let csrf = page.csrf();
    assert!(page.text.contains(r#"action="/app/communes/07273/reports/2024-06/approve""#), "{}", page.text);

    // Without the token, with an empty body, with another user's token: 403, nothing changes.
    let approve = "/app/communes/07273/reports/2024-06/approve";
    assert_eq!(b.post(approve, &[]).await.status, 403);
    assert_eq!(b.post("/app/logout", &[]).await.status, 403);
    let mut other = Browser::new(&app);
    assert_eq!(other.sign_in("dongson", PASSWORD).await.status, 303);
    let other_csrf = other.get("/app/communes/07273").await.csrf();
    assert_ne!(other_csrf, csrf);
    let r = b.post(approve, &[("csrf", &other_csrf)]).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(r.text.contains("Không có quyền truy cập"), "{}", r.text);
    let report = app.get("/api/v1/communes/07273/reports/2024-06", &app.admin()).await;
    assert_eq!(report.body["status"], "submitted");

    // With it, the review action goes through the API's rules.
    let r = b.post("/app/communes/07279/reports/2024-06/return", &[("csrf", &csrf), ("reason", "  ")]).await;
    assert_eq!(r.header("location"), Some("/app/communes/07279?period=2024-06&error=reason_required"));
    let r = b.post(approve, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(r.header("location"), Some("/app/communes/07273?period=2024-06&done=approved"));
    let report = app.get("/api/v1/communes/07273/reports/2024-06", &app.admin()).await;
    // Approved; June 2024 has long closed, so it shows as locked.
    assert!(["approved", "locked"].contains(&report.body["status"].as_str().unwrap_or_default()), "{}", report.text);
    assert_eq!(report.body["reviewed_by"], "yenthe");
    let again = b.post(approve, &[("csrf", &csrf)]).await;
    assert_eq!(again.header("location"), Some("/app/communes/07273?period=2024-06&error=wrong_state"));
    let shown = b.get("/app/communes/07273?period=2024-06&done=approved").await;
    assert!(shown.text.contains("Đã phê duyệt báo cáo."), "{}", shown.text);
}

async fn the_ranking_page_lists_the_communes(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    // The default period is the latest month with reports.
    let page = b.get("/app/").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains(r#"<option value="2024-06" selected>Tháng 6/2024</option>"#), "{}", page.text);
    for code in ["07273", "07279", "07294"] {
        assert!(page.text.contains(&format!(r#"data-code="{code}""#)), "{code} is missing: {}", page.text);
    }
    // Only the district's communes; the one without a report is highlighted.
    assert!(!page.text.contains("07312"), "{}", page.text);
    assert!(
        page.text.contains(r#"<tr class="not-reported" data-code="07294" data-status="missing">"#),
        "{}",
        page.text
    );
    assert!(page.text.contains(r#"<a href="/app/communes/07273?period=2024-06">Xã Đông Sơn</a>"#), "{}", page.text);
    // In English on request.
    let en = b.get("/app/?period=2024-06&lang=en").await;
    assert!(en.text.contains("Ranking of communes: Huyện Yên Thế"), "{}", en.text);
    assert!(en.set_cookie("cchc_lang").is_some_and(|c| c.starts_with("cchc_lang=en")));
    assert!(b.get("/app/completeness").await.text.contains("Reporting completeness"));
    b.get("/app/?lang=vi").await;
    // The download is the API's export.
    let csv = b.get("/app/export/rankings.csv?period=2024-06").await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.text.contains("Xã Đông Sơn") && csv.text.contains("Chưa báo cáo"), "{}", csv.text);
    // Another district is outside the officer's scope.
    let r = b.get("/app/?unit=216").await;
    assert_eq!(r.status, 403, "{}", r.text);
}

async fn a_commune_officer_cannot_open_another_commune_s_page(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    let signed = b.sign_in("dongson", PASSWORD).await;
    assert_eq!(signed.status, 303);
    let home = b.get("/app/").await;
    assert_eq!(home.header("location"), Some("/app/communes/07273"));
    let own = b.get("/app/communes/07273").await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert!(own.text.contains("Xã Đông Sơn") && own.text.contains(r#"id="trend-chart""#), "{}", own.text);
    assert!(!own.text.contains(r#"id="approve""#), "a commune does not review itself");

    let other = b.get("/app/communes/07279").await;
    assert_eq!(other.status, 403, "{}", other.text);
    assert_eq!(other.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(other.text.contains("Không có quyền truy cập"), "{}", other.text);
    assert!(!other.text.contains("Xã Hương Vĩ"), "{}", other.text);
    // Nor review anything.
    let csrf = own.csrf();
    let r = b.post("/app/communes/07273/reports/2024-06/approve", &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 403, "{}", r.text);
}

async fn signing_out_clears_the_cookie(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    let csrf = b.get("/app/").await.csrf();
    let stolen = b.cookies.get("cchc_session").cloned().expect("a session cookie");
    // A second session of the same user, on another device.
    let mut phone = Browser::new(&app);
    assert_eq!(phone.sign_in("yenthe", PASSWORD).await.status, 303);
    let out = b.post("/app/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303, "{}", out.text);
    assert_eq!(out.header("location"), Some("/app/login?out=1"));
    let cleared = out.set_cookie("cchc_session").expect("the session cookie is cleared");
    assert!(cleared.starts_with("cchc_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert!(cleared.contains("Path=/app"), "{cleared}");
    assert!(!b.cookies.contains_key("cchc_session"));
    assert_eq!(b.get("/app/").await.header("location"), Some("/app/login"));
    assert!(b.get("/app/login?out=1").await.text.contains("Bạn đã đăng xuất."));
    // The cookie kept from before signing out no longer opens anything, and the user's other
    // sessions end with it.
    b.cookies.insert("cchc_session".into(), stolen);
    let r = b.get("/app/").await;
    assert_eq!((r.status.as_u16(), r.header("location")), (303, Some("/app/login?expired=1")));
    assert_eq!(phone.get("/app/").await.status, 303);
    // Signing in again works.
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    assert_eq!(b.get("/app/").await.status, 200);
}

async fn a_disabled_user_s_session_stops_working(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    assert_eq!(b.get("/app/").await.status, 200);
    let r = app.post("/api/v1/users/yenthe/disable", &app.admin(), &json!({})).await;
    assert!(r.status.is_success(), "{}", r.text);
    let r = b.get("/app/completeness").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/app/login?expired=1&next=%2Fapp%2Fcompleteness"));
    // Nor can it sign in again.
    let again = b.sign_in("yenthe", PASSWORD).await;
    assert_eq!(again.status, 401, "{}", again.text);
}

/// The message a review action shows comes from the kind of problem the use case answered,
/// not from its HTTP status: a missing reason and a wrong state are both 409, a reason too long
/// and a malformed period both 400, and each reads differently.
async fn review_messages_follow_the_problem_kind(app: TestApp) {
    setup(&app).await;
    let mut b = Browser::new(&app);
    assert_eq!(b.sign_in("yenthe", PASSWORD).await.status, 303);
    let csrf = b.get("/app/communes/07279?period=2024-06").await.csrf();
    let back = |code: &str, key: &str| format!("/app/communes/{code}?period=2024-06&error={key}");
    let act = "/app/communes/07279/reports/2024-06";
    // 409 reason-required: no reason, or only blanks (the domain decides, not the page).
    for reason in [None, Some(" \n ")] {
        let form: Vec<(&str, &str)> =
            [("csrf", csrf.as_str())].into_iter().chain(reason.map(|r| ("reason", r))).collect();
        let r = b.post(&format!("{act}/return"), &form).await;
        assert_eq!(r.header("location"), Some(back("07279", "reason_required").as_str()), "{reason:?}");
    }
    // 400 reason-too-long.
    let long = "ạ".repeat(2001);
    let r = b.post(&format!("{act}/return"), &[("csrf", &csrf), ("reason", &long)]).await;
    assert_eq!(r.header("location"), Some(back("07279", "reason_too_long").as_str()));
    // 412 stale-revision: the page showed revision 1, the report is at 2 now.
    assert_eq!(app.file("07279", "2024-06", &cchc_tests::seed_with(json!({"computers": 21}))).await.status, 200);
    let stale = [("csrf", csrf.as_str()), ("etag", "\"07279-2024-06-r1\"")];
    let r = b.post(&format!("{act}/approve"), &stale).await;
    assert_eq!(r.header("location"), Some(back("07279", "stale").as_str()));
    // 409 wrong-state: approved once, an approval again is not possible.
    assert_eq!(b.post(&format!("{act}/approve"), &[("csrf", &csrf)]).await.status, 303);
    let r = b.post(&format!("{act}/approve"), &[("csrf", &csrf)]).await;
    assert_eq!(r.header("location"), Some(back("07279", "wrong_state").as_str()));
    let page = b.get(&back("07279", "wrong_state")).await;
    assert!(page.text.contains("Không thể thực hiện: trạng thái báo cáo đã thay đổi."), "{}", page.text);
    let page = b.get(&back("07279", "reason_required")).await;
    assert!(page.text.contains("Cần nhập lý do khi trả lại báo cáo."), "{}", page.text);
    // 400 invalid-period is no reason too long: an error page of its own.
    let r = b.post("/app/communes/07279/reports/2024Q2/return", &[("csrf", &csrf), ("reason", "Sửa lại")]).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.header("location").is_none() && !r.text.contains("2000"), "{}", r.text);
}

/// A control character in `next` (it would break the `Location` header) sends the officer to the
/// start page; one in the username gets the form again, not an error page, and no session.
async fn control_characters_in_the_sign_in_form_are_refused(app: TestApp) {
    setup(&app).await;
    for next in ["/app/\u{0}x", "/app/\u{1}x", "/app/\u{7f}x"] {
        let mut b = Browser::new(&app);
        let form = b.get("/app/login").await;
        let csrf = form.csrf();
        let r = b
            .post("/app/login", &[("csrf", &csrf), ("username", "yenthe"), ("password", PASSWORD), ("next", next)])
            .await;
        assert_eq!(r.status, 303, "{next:?}: {}", r.text);
        assert_eq!(r.header("location"), Some("/app/"), "{next:?}");
    }
    let mut b = Browser::new(&app);
    let form = b.get("/app/login").await;
    let csrf = form.csrf();
    let r = b
        .post("/app/login", &[("csrf", &csrf), ("username", "yenthe\u{0}"), ("password", PASSWORD), ("next", "/app/")])
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("<form"), "the form again: {}", r.text);
    assert!(r.set_cookie("cchc_session").is_none(), "no session");
}

/// A client's own `X-Forwarded-Proto` does not make a cookie `Secure` (nor would its absence
/// behind a proxy): only with `CCHC_TRUST_PROXY` does a proxy's header count.
async fn a_client_s_forwarded_proto_is_not_trusted(app: TestApp) {
    let res =
        app.client.get(app.url("/app/login")).header("x-forwarded-proto", "https").send().await.expect("an answer");
    let cookie = res.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.starts_with("cchc_login="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

backend_tests!(
    a_client_s_forwarded_proto_is_not_trusted,
    control_characters_in_the_sign_in_form_are_refused,
    review_messages_follow_the_problem_kind,
    signing_in_sets_an_http_only_strict_session_cookie,
    pages_without_a_session_redirect_to_sign_in,
    posts_without_the_csrf_token_are_refused,
    the_ranking_page_lists_the_communes,
    a_commune_officer_cannot_open_another_commune_s_page,
    signing_out_clears_the_cookie,
    a_disabled_user_s_session_stops_working,
);
