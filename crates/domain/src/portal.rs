//! Dossier records from the provincial public-service portal (the national portal's dossier
//! sync fields) and the Biểu 06 figures they imply for a commune and month.
//!
//! Rules (see `docs/portal.md`): outcomes compare days, not clock times — finished before the due date's
//! day is early, on it on time, after it overdue; a dossier not finished by the end of the data
//! window is pending, within deadline or overdue by the same rule at the window's last day.
//! Status 3 (refused at reception) is never received; status 1 (registered, not yet received)
//! is not counted yet; 7 (withdrawn) and 8 (stopped) are end states judged like a finished
//! dossier. One request for supplements made by the due day stops the clock for the working days
//! the citizen took (processing time is counted in working days: NĐ 61/2018/NĐ-CP, NĐ
//! 107/2021/NĐ-CP); a request after the due day finds the dossier overdue and cannot revive it;
//! a second request makes the dossier overdue. Times without an offset are Vietnam time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, WorkingCalendar};
use crate::dossier_figures::*;
use crate::period::{Month, vietnam_offset};
use crate::report::{Value, Values};
use crate::units::{UnitCode, UnitLevel};

/// TrangThaiHoSo values that end a dossier: withdrawn (7), stopped (8), resolved (9), result
/// returned (10).
pub const END_STATES: [u8; 4] = [7, 8, 9, 10];

pub const DIGITIZED: &str = "dossiers_digitized";
pub const PAID_ONLINE: &str = "dossiers_paid_online";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    Direct = 1,
    Online = 2,
    Postal = 3,
}

/// A request for supplements and, once the citizen answered, when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Supplement {
    pub requested_at: NaiveDateTime,
    pub supplied_at: Option<NaiveDateTime>,
}

/// A dossier as stored: only the fields the rules need. Applicant data is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dossier {
    /// MaHoSo.
    pub code: String,
    /// MaTTHC.
    pub procedure: Option<String>,
    pub channel: Channel,
    /// TrangThaiHoSo, 1–10.
    pub status: u8,
    /// DonViXuLy: the handling commune.
    pub unit: UnitCode,
    /// All times in Vietnam local time.
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub returned_at: Option<NaiveDateTime>,
    pub digitized: Option<bool>,
    pub paid_online: Option<bool>,
    pub supplements: Vec<Supplement>,
}

/// One problem with one field of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// The record's 0-based position in the batch.
    pub index: usize,
    /// The portal's field name.
    pub field: String,
    pub reason: String,
}

/// Parses a portal time: `yyyyMMddHHmmss`, `yyyyMMdd`, or ISO 8601 with or without an offset
/// (without: Vietnam time). The result is Vietnam local time.
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok();
    }
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok().map(|d| d.and_time(NaiveTime::MIN));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&vietnam_offset()).naive_local());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN))
}

fn text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn small_int(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => {
            n.as_i64().or_else(|| n.as_f64().filter(|x| x.fract() == 0.0).map(|x| x as i64))
        }
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn flag(v: &serde_json::Value) -> Option<bool> {
    match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        serde_json::Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "co" | "có" => Some(true),
            "0" | "false" | "khong" | "không" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Reads one record of the portal's JSON. Unknown fields — applicant data among them — are
/// ignored and never kept. Every problem is reported, each with its field.
pub fn parse_record(index: usize, json: &serde_json::Value) -> Result<Dossier, Vec<Conflict>> {
    let mut conflicts = Vec::new();
    let mut bad = |field: &str, reason: String| conflicts.push(Conflict { index, field: field.into(), reason });
    let Some(obj) = json.as_object() else {
        bad("", "a record must be a JSON object".into());
        return Err(conflicts);
    };
    let get = |k: &str| obj.get(k).filter(|v| !v.is_null());
    let code = match get("MaHoSo").and_then(text) {
        Some(c) if crate::text::check_line("MaHoSo", &c).is_err() => {
            bad("MaHoSo", "must not hold control characters".into());
            String::new()
        }
        Some(c) if !c.is_empty() && c.chars().count() <= 100 => c,
        Some(_) => {
            bad("MaHoSo", "must be 1–100 characters".into());
            String::new()
        }
        None => {
            bad("MaHoSo", "is required".into());
            String::new()
        }
    };
    let procedure = get("MaTTHC").and_then(text).filter(|s| !s.is_empty());
    if procedure.as_ref().is_some_and(|p| p.chars().count() > 100) {
        bad("MaTTHC", "must be at most 100 characters".into());
    } else if procedure.as_ref().is_some_and(|p| crate::text::check_line("MaTTHC", p).is_err()) {
        bad("MaTTHC", "must not hold control characters".into());
    }
    let channel = match get("KenhThucHien").map(small_int) {
        Some(Some(1)) => Some(Channel::Direct),
        Some(Some(2)) => Some(Channel::Online),
        Some(Some(3)) => Some(Channel::Postal),
        Some(_) => {
            bad("KenhThucHien", "must be 1 (direct), 2 (online) or 3 (postal)".into());
            None
        }
        None => {
            bad("KenhThucHien", "is required".into());
            None
        }
    };
    let status = match get("TrangThaiHoSo").map(small_int) {
        Some(Some(s @ 1..=10)) => Some(s as u8),
        Some(_) => {
            bad("TrangThaiHoSo", "must be a status from 1 to 10".into());
            None
        }
        None => {
            bad("TrangThaiHoSo", "is required".into());
            None
        }
    };
    let unit = match get("DonViXuLy").and_then(text).map(|s| UnitCode::parse(&s)) {
        Some(Ok(u)) if u.level() == UnitLevel::Commune => Some(u),
        Some(Ok(u)) => {
            bad("DonViXuLy", format!("`{u}` is not a commune code (5 digits)"));
            None
        }
        Some(Err(e)) => {
            bad("DonViXuLy", e.to_string());
            None
        }
        None => {
            bad("DonViXuLy", "is required".into());
            None
        }
    };
    let mut time = |field: &str| -> Option<NaiveDateTime> {
        let v = get(field)?;
        match v.as_str().and_then(parse_time).or_else(|| small_int(v).and_then(|n| parse_time(&n.to_string()))) {
            Some(t) => Some(t),
            None => {
                bad(field, format!("`{v}` is not a time (yyyyMMddHHmmss or ISO 8601)"));
                None
            }
        }
    };
    let received_at = time("NgayTiepNhan");
    let due_at = time("NgayHenTra");
    let finished_at = time("NgayKetThucXuLy");
    let returned_at = time("NgayTra");
    let mut flag_of = |field: &str| -> Option<bool> {
        let v = get(field)?;
        let f = flag(v);
        if f.is_none() {
            bad(field, format!("`{v}` is not a yes/no value"));
        }
        f
    };
    let digitized = flag_of("HoSoCoThanhPhanSoHoa");
    let paid_online = flag_of("DuocThanhToanTrucTuyen");
    let mut supplements = Vec::new();
    match get("DanhSachHoSoBoSung") {
        None => {}
        Some(serde_json::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let field = format!("DanhSachHoSoBoSung[{i}]");
                let when = |k: &str| item.get(k).and_then(|v| v.as_str()).and_then(parse_time);
                match when("NgayYeuCauBoSung") {
                    Some(requested_at) => supplements.push(Supplement {
                        requested_at,
                        supplied_at: when("NgayTiepNhanBoSung").or_else(|| when("NgayBoSung")),
                    }),
                    None => bad(&field, "needs NgayYeuCauBoSung, the time supplements were requested".into()),
                }
            }
        }
        Some(_) => bad("DanhSachHoSoBoSung", "must be a list".into()),
    }
    // What each status needs: a received dossier has a reception and a due date; an end state
    // has the time it ended.
    if let Some(s) = status {
        if !matches!(s, 1 | 3) {
            if received_at.is_none() && get("NgayTiepNhan").is_none() {
                bad("NgayTiepNhan", format!("is required for status {s}"));
            }
            if due_at.is_none() && get("NgayHenTra").is_none() {
                bad("NgayHenTra", format!("is required for status {s}"));
            }
        }
        if END_STATES.contains(&s) && finished_at.is_none() && returned_at.is_none() && get("NgayKetThucXuLy").is_none()
        {
            bad("NgayKetThucXuLy", format!("is required for status {s} (an end state)"));
        }
    }
    if let (Some(r), Some(d)) = (received_at, due_at)
        && d < r
    {
        bad("NgayHenTra", "is before NgayTiepNhan".into());
    }
    if let (Some(r), Some(f)) = (received_at, finished_at)
        && f < r
    {
        bad("NgayKetThucXuLy", "is before NgayTiepNhan".into());
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    match (channel, status, unit) {
        (Some(channel), Some(status), Some(unit)) => Ok(Dossier {
            code,
            procedure,
            channel,
            status,
            unit,
            received_at,
            due_at,
            finished_at,
            returned_at,
            digitized,
            paid_online,
            supplements,
        }),
        _ => Err(vec![Conflict { index, field: String::new(), reason: "unreadable record".into() }]),
    }
}

impl Dossier {
    /// The latest event a record tells of: a resend with an older one is stale.
    pub fn latest_event(&self) -> Option<NaiveDateTime> {
        [self.received_at, self.finished_at, self.returned_at]
            .into_iter()
            .chain(self.supplements.iter().flat_map(|s| [Some(s.requested_at), s.supplied_at]))
            .flatten()
            .max()
    }

    pub fn is_end_state(&self) -> bool {
        END_STATES.contains(&self.status)
    }

    /// A stable fingerprint of what a record says, to tell an identical resend from a
    /// correction: the first eight bytes of SHA-256 over the record's JSON (fields in the order
    /// this type declares them). Changing that order or the fields changes every fingerprint,
    /// so stored ones must then be recomputed (persistence does it at start-up).
    pub fn fingerprint(&self) -> i64 {
        use sha2::{Digest, Sha256};
        // Serialising plain data (strings, numbers, dates) cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        let digest = Sha256::digest(&json);
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        i64::from_be_bytes(first)
    }

    /// Counted as received: neither refused at reception (3) nor merely registered (1).
    pub fn is_received(&self) -> bool {
        !matches!(self.status, 1 | 3) && self.received_at.is_some()
    }

    /// The day the dossier ended, for end states.
    pub fn end_day(&self) -> Option<NaiveDate> {
        self.is_end_state().then(|| self.finished_at.or(self.returned_at)).flatten().map(|t| t.date())
    }

    /// The round of supplements that stops the clock: the first, when it was requested by the
    /// due day. One requested later finds the dossier overdue already: it cannot revive it.
    fn pausing_supplement(&self) -> Option<&Supplement> {
        let first = self.supplements.first()?;
        let due = self.due_at?.date();
        (first.requested_at.date() <= due).then_some(first)
    }

    /// The due day after the clock stopped for one round of supplements: moved on by the
    /// working days after the request up to and including the day the citizen supplied (the
    /// office had the dossier back only then); `None` once a second round makes the dossier
    /// overdue whatever the dates.
    pub fn effective_due_day(&self, working: &WorkingCalendar) -> Option<Option<NaiveDate>> {
        if self.supplements.len() >= 2 {
            return None;
        }
        let due = self.due_at.map(|d| d.date());
        let paused = self
            .pausing_supplement()
            .and_then(|s| s.supplied_at.map(|a| working.working_days_between(s.requested_at.date(), a.date())))
            .unwrap_or(0);
        Some(due.map(|d| working.add_working_days(d, paused)))
    }

    /// Waiting for the citizen's supplements asked for by the due day: the clock is stopped.
    pub fn awaiting_supplements(&self) -> bool {
        self.supplements.len() == 1
            && self.pausing_supplement().is_some_and(|s| s.supplied_at.is_none())
            && !self.is_end_state()
    }
}

/// A stored dossier as a new record of the same `MaHoSo` is judged against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDossier {
    pub latest_event_at: Option<NaiveDateTime>,
    pub fingerprint: i64,
    /// The commune that handles it.
    pub unit: String,
}

impl StoredDossier {
    pub fn of(d: &Dossier) -> StoredDossier {
        StoredDossier { latest_event_at: d.latest_event(), fingerprint: d.fingerprint(), unit: d.unit.to_string() }
    }
}

/// What a push does with one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported,
    Updated,
    /// Older than the stored record, or identical to it.
    Ignored,
    /// The stored dossier belongs to a commune the sender may not touch.
    Refused(String),
}

impl Outcome {
    pub fn writes(&self) -> bool {
        matches!(self, Outcome::Imported | Outcome::Updated)
    }
}

/// A record replaces the stored dossier of its code unless its latest event is older or it says
/// the same; a sender may not take over a dossier held by a commune it may not touch
/// (`may_take`), which keeps a portal out of another province's records.
pub fn classify(record: &Dossier, stored: Option<&StoredDossier>, may_take: impl Fn(&str) -> bool) -> Outcome {
    match stored {
        None => Outcome::Imported,
        Some(s) if s.unit != record.unit.as_str() && !may_take(&s.unit) => {
            // The holding commune is not named: it is outside the sender's province.
            Outcome::Refused(format!("dossier {} is held outside your province", record.code))
        }
        Some(s) if s.fingerprint == record.fingerprint() || record.latest_event() < s.latest_event_at => {
            Outcome::Ignored
        }
        Some(_) => Outcome::Updated,
    }
}

/// The Biểu 06 figures of one commune for one month, from its dossier records, plus the
/// digitised and paid-online counts among the dossiers received in the month.
pub fn figures(dossiers: &[Dossier], month: Month, calendar: &Calendar) -> Values {
    let (start, end) = calendar.window(month);
    let mut n = [0i64; 8];
    let (mut digitized, mut paid, mut digitized_known, mut paid_known) = (0i64, 0i64, false, false);
    const CARRIED: usize = 0;
    const ONLINE: usize = 1;
    const DIRECT: usize = 2;
    const EARLY: usize = 3;
    const ON_TIME: usize = 4;
    const LATE: usize = 5;
    const WITHIN: usize = 6;
    const PAST: usize = 7;
    for d in dossiers.iter().filter(|d| d.is_received()) {
        let Some(received) = d.received_at.map(|t| t.date()) else { continue };
        if received > end {
            continue;
        }
        let ended = d.end_day();
        if received < start {
            if ended.is_some_and(|e| e < start) {
                continue;
            }
            n[CARRIED] += 1;
        } else {
            n[if d.channel == Channel::Online { ONLINE } else { DIRECT }] += 1;
            if let Some(x) = d.digitized {
                digitized_known = true;
                digitized += i64::from(x);
            }
            if let Some(x) = d.paid_online {
                paid_known = true;
                paid += i64::from(x);
            }
        }
        let due = d.effective_due_day(&calendar.working);
        match ended.filter(|e| *e <= end) {
            Some(day) => {
                let slot = match due {
                    None => LATE,
                    Some(None) => ON_TIME,
                    Some(Some(due)) if day < due => EARLY,
                    Some(Some(due)) if day == due => ON_TIME,
                    Some(Some(_)) => LATE,
                };
                n[slot] += 1;
            }
            None => {
                let slot = match due {
                    None => PAST,
                    _ if d.awaiting_supplements() => WITHIN,
                    Some(Some(due)) if end > due => PAST,
                    _ => WITHIN,
                };
                n[slot] += 1;
            }
        }
    }
    let mut out: Values = PARTS.iter().zip(n).map(|(c, v)| ((*c).to_owned(), Value::Count(v))).collect();
    if digitized_known {
        out.insert(DIGITIZED.into(), Value::Count(digitized));
    }
    if paid_known {
        out.insert(PAID_ONLINE.into(), Value::Count(paid));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::check_values;
    use serde_json::json;

    fn rec(code: &str, status: u8, received: &str, due: &str, finished: Option<&str>) -> serde_json::Value {
        let mut r = json!({"MaHoSo": code, "MaTTHC": "1.001", "KenhThucHien": 2, "TrangThaiHoSo": status,
            "DonViXuLy": "07273", "NgayTiepNhan": received, "NgayHenTra": due, "ChuHoSo": "Nguyễn Văn A",
            "SoGiayToChuHoSo": "001090000001"});
        if let Some(f) = finished {
            r["NgayKetThucXuLy"] = json!(f);
        }
        r
    }

    fn parse(v: &serde_json::Value) -> Dossier {
        parse_record(0, v).unwrap()
    }

    #[test]
    fn times_in_both_forms_and_vietnam_time() {
        assert_eq!(parse_time("20240603081500").unwrap().to_string(), "2024-06-03 08:15:00");
        assert_eq!(parse_time("2024-06-03T08:15:00").unwrap().to_string(), "2024-06-03 08:15:00");
        assert_eq!(parse_time("2024-06-03T01:15:00Z").unwrap().to_string(), "2024-06-03 08:15:00");
        assert_eq!(parse_time("2024-06-03T08:15:00+07:00").unwrap().to_string(), "2024-06-03 08:15:00");
        assert_eq!(parse_time("2024-06-03").unwrap().to_string(), "2024-06-03 00:00:00");
        assert_eq!(parse_time("20240603").unwrap().to_string(), "2024-06-03 00:00:00");
        assert!(parse_time("2024-13-03").is_none());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn applicant_data_is_never_kept() {
        let d = parse(&rec("H1", 2, "20240520080000", "20240525170000", None));
        let stored = serde_json::to_string(&d).unwrap();
        assert!(!stored.contains("Nguyễn") && !stored.contains("001090000001"), "{stored}");
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = json!({"MaHoSo": "", "KenhThucHien": 5, "TrangThaiHoSo": 11, "DonViXuLy": "215",
            "NgayTiepNhan": "soon", "HoSoCoThanhPhanSoHoa": "maybe"});
        let fields: Vec<String> = parse_record(7, &bad).unwrap_err().into_iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            ["MaHoSo", "KenhThucHien", "TrangThaiHoSo", "DonViXuLy", "NgayTiepNhan", "HoSoCoThanhPhanSoHoa"]
        );
        let c = &parse_record(
            7,
            &json!({"MaHoSo": "X", "KenhThucHien": 1, "TrangThaiHoSo": 9, "DonViXuLy": "07273",
            "NgayTiepNhan": "20240601000000", "NgayHenTra": "20240605000000"}),
        )
        .unwrap_err()[0];
        assert_eq!(
            (c.index, c.field.as_str(), c.reason.as_str()),
            (7, "NgayKetThucXuLy", "is required for status 9 (an end state)")
        );
        assert_eq!(parse_record(0, &json!([1])).unwrap_err()[0].reason, "a record must be a JSON object");
    }

    /// The hand-checked set for June 2024 (window 15 May – 14 June; due dates compared by day).
    #[test]
    fn the_hand_checked_set() {
        let set = [
            rec("EARLY", 10, "20240520080000", "20240530170000", Some("20240528100000")), // before the due day
            rec("ONTIME", 9, "20240521080000", "20240603170000", Some("20240603200000")), // on the due day, late hour
            rec("LATE", 9, "20240522080000", "20240604170000", Some("20240606090000")),   // after it
            rec("WITHIN", 4, "20240610080000", "20240620170000", None),                   // pending, due after the 14th
            rec("PAST", 4, "20240601080000", "20240612170000", None), // pending, due before the 14th
            rec("WITHDRAWN", 7, "20240523080000", "20240527170000", Some("20240524090000")), // an end state: early
            rec("REFUSED", 3, "20240524080000", "20240527170000", None), // never received
            rec("CARRIED", 9, "20240510080000", "20240520170000", Some("20240520090000")), // from May's window, on time
            rec("OLD", 10, "20240401080000", "20240405170000", Some("20240405090000")), // done long before
            rec("NEXT", 2, "20240615080000", "20240620170000", None), // July's window
        ];
        let dossiers: Vec<Dossier> = set.iter().map(parse).collect();
        let v = figures(&dossiers, "2024-06".parse().unwrap(), &Calendar::default());
        let get = |c: &str| v[c];
        assert_eq!(get(CARRIED_OVER), Value::Count(1));
        assert_eq!(get(RECEIVED_ONLINE), Value::Count(6));
        assert_eq!(get(RECEIVED_DIRECT), Value::Count(0));
        assert_eq!(get(RESOLVED_EARLY), Value::Count(2), "EARLY and WITHDRAWN");
        assert_eq!(get(RESOLVED_ON_TIME), Value::Count(2), "ONTIME and CARRIED");
        assert_eq!(get(RESOLVED_OVERDUE), Value::Count(1));
        assert_eq!(get(PENDING_WITHIN), Value::Count(1));
        assert_eq!(get(PENDING_OVERDUE), Value::Count(1));
        assert!(check_values(&crate::Catalog::builtin(), &v).is_empty(), "the figures satisfy every identity");
        // July: WITHIN and PAST carry over, NEXT is received.
        let july = figures(&dossiers, "2024-07".parse().unwrap(), &Calendar::default());
        assert_eq!(july[CARRIED_OVER], Value::Count(2));
        assert_eq!(july[RECEIVED_ONLINE], Value::Count(1));
    }

    #[test]
    fn supplements_stop_the_clock_once() {
        let mut one = rec("S1", 9, "20240520080000", "20240530170000", Some("20240603100000"));
        one["DanhSachHoSoBoSung"] =
            json!([{"NgayYeuCauBoSung": "20240525080000", "NgayTiepNhanBoSung": "20240530080000"}]);
        // Requested Saturday 25 May, supplied Thursday 30 May: 4 working days paused (27–30 May),
        // so due 30 May + 4 working days = Wednesday 5 June; finished 3 June → early.
        let d = parse(&one);
        assert_eq!(
            d.effective_due_day(&WorkingCalendar::default()),
            Some(Some(NaiveDate::from_ymd_opt(2024, 6, 5).unwrap()))
        );
        let v = figures(&[d], "2024-06".parse().unwrap(), &Calendar::default());
        assert_eq!(v[RESOLVED_EARLY], Value::Count(1));
        let mut two = one.clone();
        two["DanhSachHoSoBoSung"] = json!([{"NgayYeuCauBoSung": "20240522080000", "NgayTiepNhanBoSung": "20240523080000"},
            {"NgayYeuCauBoSung": "20240525080000", "NgayTiepNhanBoSung": "20240526080000"}]);
        let v = figures(&[parse(&two)], "2024-06".parse().unwrap(), &Calendar::default());
        assert_eq!(v[RESOLVED_OVERDUE], Value::Count(1), "a second round makes it overdue");
        let mut waiting = rec("S3", 5, "20240520080000", "20240601170000", None);
        waiting["DanhSachHoSoBoSung"] = json!([{"NgayYeuCauBoSung": "20240525080000"}]);
        let v = figures(&[parse(&waiting)], "2024-06".parse().unwrap(), &Calendar::default());
        assert_eq!(v[PENDING_WITHIN], Value::Count(1), "the clock is stopped while the citizen answers");
    }

    /// The loophole: a supplement request after the due day used to stop a clock that had
    /// already run out, turning an overdue dossier back to within deadline.
    #[test]
    fn a_request_after_the_due_day_cannot_revive_a_dossier() {
        let june: Month = "2024-06".parse().unwrap();
        let cal = Calendar::default();
        // Due 1 June, supplements requested on 10 June, still awaited on 14 June (the window's end).
        let mut waiting = rec("LATEREQ", 5, "20240520080000", "20240601170000", None);
        waiting["DanhSachHoSoBoSung"] = json!([{"NgayYeuCauBoSung": "20240610080000"}]);
        let d = parse(&waiting);
        assert!(!d.awaiting_supplements(), "the clock had run out before the request");
        assert_eq!(d.effective_due_day(&cal.working), Some(Some(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap())));
        let v = figures(&[d], june, &cal);
        assert_eq!((v[PENDING_WITHIN], v[PENDING_OVERDUE]), (Value::Count(0), Value::Count(1)));
        // Supplied on 12 June and finished on 13 June: resolved overdue, not early.
        let mut done = rec("LATEREQ", 10, "20240520080000", "20240601170000", Some("20240613100000"));
        done["DanhSachHoSoBoSung"] =
            json!([{"NgayYeuCauBoSung": "20240610080000", "NgayTiepNhanBoSung": "20240612080000"}]);
        let d = parse(&done);
        assert_eq!(d.effective_due_day(&cal.working), Some(Some(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap())));
        let v = figures(&[d], june, &cal);
        assert_eq!(
            (v[RESOLVED_EARLY], v[RESOLVED_ON_TIME], v[RESOLVED_OVERDUE]),
            (Value::Count(0), Value::Count(0), Value::Count(1))
        );
        // Requested on the due day itself, the clock stops: 1 June (a Saturday) → supplied
        // Wednesday 5 June is 3 working days (3, 4, 5 June) → due Wednesday 5 June.
        let mut on_the_day = rec("ONDAY", 10, "20240520080000", "20240601170000", Some("20240605100000"));
        on_the_day["DanhSachHoSoBoSung"] =
            json!([{"NgayYeuCauBoSung": "20240601080000", "NgayTiepNhanBoSung": "20240605080000"}]);
        let d = parse(&on_the_day);
        assert_eq!(d.effective_due_day(&cal.working), Some(Some(NaiveDate::from_ymd_opt(2024, 6, 5).unwrap())));
        assert_eq!(figures(&[d], june, &cal)[RESOLVED_ON_TIME], Value::Count(1));
    }

    /// The pause is counted in working days: requested Friday 24 May 2024, supplied Monday
    /// 3 June — 10 calendar days but 6 working days (27, 28, 29, 30, 31 May and 3 June). Due
    /// Tuesday 28 May + 6 working days = Wednesday 5 June; finished Thursday 6 June is overdue
    /// (the calendar-day count would have made it 7 June, and early).
    #[test]
    fn the_pause_is_counted_in_working_days() {
        let mut r = rec("PAUSE", 9, "20240520080000", "20240528170000", Some("20240606090000"));
        r["DanhSachHoSoBoSung"] =
            json!([{"NgayYeuCauBoSung": "20240524150000", "NgayTiepNhanBoSung": "20240603080000"}]);
        let d = parse(&r);
        let cal = Calendar::default();
        assert_eq!(
            cal.working.working_days_between(
                NaiveDate::from_ymd_opt(2024, 5, 24).unwrap(),
                NaiveDate::from_ymd_opt(2024, 6, 3).unwrap()
            ),
            6
        );
        assert_eq!(d.effective_due_day(&cal.working), Some(Some(NaiveDate::from_ymd_opt(2024, 6, 5).unwrap())));
        let v = figures(std::slice::from_ref(&d), "2024-06".parse().unwrap(), &cal);
        assert_eq!((v[RESOLVED_EARLY], v[RESOLVED_OVERDUE]), (Value::Count(0), Value::Count(1)));
        // A published day off within the pause stops the clock one day less: 27 May off → 5
        // working days → due Tuesday 4 June.
        let with_day_off =
            WorkingCalendar::new([(NaiveDate::from_ymd_opt(2024, 5, 27).unwrap(), crate::calendar::DayKind::DayOff)]);
        assert_eq!(d.effective_due_day(&with_day_off), Some(Some(NaiveDate::from_ymd_opt(2024, 6, 4).unwrap())));
    }

    #[test]
    fn latest_events_order_resends() {
        let pending = parse(&rec("H", 4, "20240520080000", "20240530170000", None));
        let done = parse(&rec("H", 10, "20240520080000", "20240530170000", Some("20240528100000")));
        assert!(done.latest_event() > pending.latest_event());
    }

    #[test]
    fn resends_corrections_and_takeovers() {
        let pending = parse(&rec("H", 4, "20240520080000", "20240530170000", None));
        let done = parse(&rec("H", 10, "20240520080000", "20240530170000", Some("20240528100000")));
        assert_eq!(pending.fingerprint(), parse(&rec("H", 4, "20240520080000", "20240530170000", None)).fingerprint());
        assert_ne!(pending.fingerprint(), done.fingerprint());
        // The same record always gives the same fingerprint, on every machine and Rust release.
        assert_eq!(pending.fingerprint(), 4_585_222_617_845_341_986);
        let anyone = |_: &str| true;
        assert_eq!(classify(&pending, None, anyone), Outcome::Imported);
        let stored = StoredDossier::of(&pending);
        assert_eq!(classify(&pending, Some(&stored), anyone), Outcome::Ignored, "an identical resend");
        assert_eq!(classify(&done, Some(&stored), anyone), Outcome::Updated);
        assert_eq!(classify(&pending, Some(&StoredDossier::of(&done)), anyone), Outcome::Ignored, "older");
        let elsewhere = StoredDossier { unit: "01001".into(), ..stored };
        assert_eq!(
            classify(&done, Some(&elsewhere), |u| u != "01001"),
            Outcome::Refused("dossier H is held outside your province".into())
        );
        assert!(Outcome::Imported.writes() && !Outcome::Ignored.writes());
    }

    #[test]
    fn digitised_and_paid_online_counts() {
        let mut a = rec("A", 2, "20240601080000", "20240610170000", None);
        a["HoSoCoThanhPhanSoHoa"] = json!(1);
        a["DuocThanhToanTrucTuyen"] = json!(true);
        let mut b = rec("B", 2, "20240602080000", "20240610170000", None);
        b["HoSoCoThanhPhanSoHoa"] = json!("0");
        let v = figures(&[parse(&a), parse(&b)], "2024-06".parse().unwrap(), &Calendar::default());
        assert_eq!((v[DIGITIZED], v[PAID_ONLINE]), (Value::Count(1), Value::Count(1)));
    }
}
