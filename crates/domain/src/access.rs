//! Who may see and change what. A unit-scoped role sees its own unit, the units below it in
//! the period of the data, and the predecessors of units below it now — never a sibling's data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use std::collections::HashSet;

use crate::hierarchy::{Hierarchy, Merge, Node, predecessors};
use crate::period::Month;
use crate::report::ReportStatus;
use crate::topology::Topology;
use crate::units::{UnitCode, UnitLevel};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A commune's officer: files the commune's reports.
    Commune,
    /// A district Interior Office (Phòng Nội vụ): reviews the communes below it.
    District,
    /// A provincial Department of Home Affairs (Sở Nội vụ): reviews the whole province.
    Province,
    /// The provincial public-service portal: pushes dossier records, pulls approved results.
    Portal,
    /// Runs the system: units, users, schemes, the whole country.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commune => "commune",
            Role::District => "district",
            Role::Province => "province",
            Role::Portal => "portal",
            Role::Admin => "admin",
        }
    }

    /// The level of unit a token of this role is scoped to; `None` for admin.
    pub fn unit_level(self) -> Option<UnitLevel> {
        match self {
            Role::Commune => Some(UnitLevel::Commune),
            Role::District => Some(UnitLevel::District),
            Role::Province | Role::Portal => Some(UnitLevel::Province),
            Role::Admin => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "commune" => Ok(Role::Commune),
            "district" => Ok(Role::District),
            "province" => Ok(Role::Province),
            "portal" => Ok(Role::Portal),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role `{other}` (expected commune, district, province, portal or admin)")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    #[error("a {0} token must name its unit")]
    MissingUnit(Role),
    #[error("an admin token is not scoped to a unit")]
    AdminWithUnit,
    #[error("a {role} token must name a {expected} unit, not `{unit}`")]
    WrongUnitLevel { role: Role, expected: UnitLevel, unit: UnitCode },
    /// A subject is recorded as the actor of every write: one line of at most 256 characters.
    #[error("a token's subject must be one line of 1–256 characters")]
    Subject,
}

/// Why a caller may not do what they asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Their role never may: `allowed` says who may.
    #[error("{allowed}; this is {caller}")]
    Role { allowed: &'static str, caller: String },
    /// Their role may, but not for this unit.
    #[error("{caller} may not {what}")]
    Scope { caller: String, what: String },
}

/// Who is acting: the subject of a token, its role and the unit it is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    unit: Option<UnitCode>,
}

impl Principal {
    pub fn new(subject: String, role: Role, unit: Option<UnitCode>) -> Result<Principal, PrincipalError> {
        let length = subject.chars().count();
        if !(1..=256).contains(&length) || crate::text::check_line("sub", &subject).is_err() {
            return Err(PrincipalError::Subject);
        }
        match (role.unit_level(), &unit) {
            (None, None) => {}
            (None, Some(_)) => return Err(PrincipalError::AdminWithUnit),
            (Some(_), None) => return Err(PrincipalError::MissingUnit(role)),
            (Some(expected), Some(u)) if u.level() != expected => {
                return Err(PrincipalError::WrongUnitLevel { role, expected, unit: u.clone() });
            }
            _ => {}
        }
        Ok(Principal { subject, role, unit })
    }

    pub fn unit(&self) -> Option<&UnitCode> {
        self.unit.as_ref()
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// "a district token for unit 215", for messages.
    pub fn describe(&self) -> String {
        match &self.unit {
            Some(u) => format!("a {} token for unit {u}", self.role),
            None => format!("an {} token", self.role),
        }
    }

    fn only(&self, allowed: &'static str, ok: bool) -> Result<(), Denied> {
        if ok { Ok(()) } else { Err(Denied::Role { allowed, caller: self.describe() }) }
    }

    /// Refuses anyone but an admin; `allowed` says so ("only an admin creates units").
    pub fn require_admin(&self, allowed: &'static str) -> Result<(), Denied> {
        self.only(allowed, self.is_admin())
    }

    /// Refuses, unless the caller may see `target`'s data for `month` (the tree of that month,
    /// and of `now` for merged predecessors).
    pub fn ensure_can_view(
        &self,
        target: &UnitCode,
        topology: &Topology,
        month: Month,
        now: Month,
    ) -> Result<(), Denied> {
        if self.unit.is_none() || self.can_view(target, &topology.at(month), &topology.at(now), &topology.merges) {
            Ok(())
        } else {
            Err(Denied::Scope { caller: self.describe(), what: format!("see unit {target}") })
        }
    }

    /// Whether the caller may read a commune's report in this status (scope checked apart): a
    /// draft is the commune's own business, and an admin's.
    pub fn can_read_report(&self, commune: &UnitCode, status: ReportStatus) -> bool {
        status != ReportStatus::Draft || self.is_admin() || self.unit.as_ref() == Some(commune)
    }

    /// Whether the caller's unit covers `code` in a month's tree: an admin covers everything.
    pub fn covers(&self, tree: &Hierarchy, code: &UnitCode) -> bool {
        match &self.unit {
            None => self.is_admin(),
            Some(scope) => tree.is_within(code, scope),
        }
    }

    /// Refuses a caller who may not file `commune`'s report.
    pub fn ensure_can_submit(&self, commune: &UnitCode) -> Result<(), Denied> {
        if self.can_submit(commune) {
            Ok(())
        } else {
            Err(Denied::Scope { caller: self.describe(), what: format!("file the report of commune {commune}") })
        }
    }

    /// Refuses a caller who neither files nor reviews reports (the portal): reading a report
    /// document into a form is for communes, their reviewers and admins.
    pub fn ensure_files_or_reviews(&self) -> Result<(), Denied> {
        self.only("communes, districts, provinces and admins read report documents", self.role != Role::Portal)
    }

    /// Who manages users: admins, and province staff (for their province).
    pub fn ensure_manages_users(&self) -> Result<(), Denied> {
        self.only("users are managed by admins and province staff", matches!(self.role, Role::Admin | Role::Province))
    }

    /// Whether the caller manages a user of `role` whose unit is in `unit_province` now: admins
    /// manage everyone; province staff the non-admin users of their province's units.
    pub fn may_manage_user(&self, role: Role, unit_province: Option<&UnitCode>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Province => role != Role::Admin && unit_province.is_some() && unit_province == self.unit.as_ref(),
            _ => false,
        }
    }

    /// The province whose dossier records the caller sends (`None`: an admin, any commune).
    pub fn dossier_scope(&self) -> Result<DossierScope, Denied> {
        match self.role {
            Role::Portal => Ok(DossierScope { province: self.unit.clone() }),
            Role::Admin => Ok(DossierScope { province: None }),
            _ => Err(Denied::Role { allowed: "dossier records come from the portal", caller: self.describe() }),
        }
    }

    /// The owner of a scheme the caller uploads: an admin's are national, a province's its own.
    pub fn scheme_owner(&self) -> Result<Option<UnitCode>, Denied> {
        match self.role {
            Role::Admin => Ok(None),
            Role::Province => Ok(self.unit.clone()),
            _ => Err(Denied::Role {
                allowed: "only admins and province staff upload scoring schemes",
                caller: self.describe(),
            }),
        }
    }

    /// Whether the caller may use a scheme owned by `owner` (`None`: national), being of
    /// `own_province` now.
    pub fn may_use_scheme(&self, owner: Option<&UnitCode>, own_province: Option<&UnitCode>) -> bool {
        self.is_admin() || owner.is_none() || owner == own_province
    }

    /// The province whose audit entries the caller reads (`None`: all of them).
    pub fn audit_scope(&self) -> Result<Option<UnitCode>, Denied> {
        match self.role {
            Role::Admin => Ok(None),
            Role::Province => Ok(self.unit.clone()),
            _ => {
                Err(Denied::Role { allowed: "the audit log is for admins and province staff", caller: self.describe() })
            }
        }
    }

    /// The province whose change-feed items the caller reads, besides national ones (`None`: all).
    pub fn feed_scope(&self) -> Result<Option<UnitCode>, Denied> {
        match self.role {
            Role::Admin => Ok(None),
            Role::Portal | Role::Province => Ok(self.unit.clone()),
            _ => Err(Denied::Role {
                allowed: "the feed is for the portal, province staff and admins",
                caller: self.describe(),
            }),
        }
    }

    /// Whether this principal may see data of `target` for a period whose tree is `then`,
    /// given today's tree `now` and the recorded merges.
    pub fn can_view(&self, target: &UnitCode, then: &Hierarchy, now: &Hierarchy, merges: &[Merge]) -> bool {
        let Some(scope) = &self.unit else { return true };
        if target == scope || then.is_within(target, scope) || now.is_within(target, scope) {
            return true;
        }
        // History survives mergers: the predecessors of units below the scope today.
        now.nodes()
            .filter(|n| now.is_within(&n.code, scope))
            .any(|n| merges.iter().any(|m| m.successor == n.code) && predecessors(merges, &n.code).contains(target))
    }

    /// The units below `unit` in the tree of `month` that this principal may not see: what every
    /// list of `unit`'s data leaves out (a unit that moved province brings, in its old months,
    /// communes that stayed behind). Empty for an admin and whenever `unit` lies within the
    /// principal's unit in that month — the usual case, decided without walking the tree.
    pub fn hidden_below(&self, topology: &Topology, unit: &UnitCode, month: Month, now: Month) -> HashSet<UnitCode> {
        let Some(scope) = &self.unit else { return HashSet::new() };
        let then = topology.at(month);
        if then.is_within(unit, scope) {
            return HashSet::new();
        }
        let today = topology.at(now);
        then.subtree(unit).into_iter().filter(|c| !self.can_view(c, &then, &today, &topology.merges)).cloned().collect()
    }

    /// Every unit of `then` this principal may see (the rule of [`Principal::can_view`]),
    /// decided for a whole list at once.
    pub fn visible_in<'a>(&self, then: &'a Hierarchy, now: &Hierarchy, merges: &[Merge]) -> Vec<&'a Node> {
        let Some(scope) = &self.unit else { return then.nodes().collect() };
        let carried: HashSet<UnitCode> = now
            .nodes()
            .filter(|n| merges.iter().any(|m| m.successor == n.code) && now.is_within(&n.code, scope))
            .flat_map(|n| predecessors(merges, &n.code))
            .collect();
        then.nodes()
            .filter(|n| {
                &n.code == scope
                    || then.is_within(&n.code, scope)
                    || now.is_within(&n.code, scope)
                    || carried.contains(&n.code)
            })
            .collect()
    }

    /// Whether a commune's rank among its siblings is shown to this principal: not to a commune,
    /// which could otherwise learn its siblings' scores by re-filing and watching its rank.
    pub fn sees_sibling_ranks(&self) -> bool {
        self.role != Role::Commune
    }

    /// Whether this principal may file `commune`'s report: its own commune's officer, or an admin.
    pub fn can_submit(&self, commune: &UnitCode) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Commune => self.unit.as_ref() == Some(commune),
            _ => false,
        }
    }
}

/// Which communes a sender of dossier records may write for: a portal its province's, as the
/// tree stood in the dossier's month or stands now; an admin any commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierScope {
    pub province: Option<UnitCode>,
}

impl DossierScope {
    /// Whether a record of `unit` received in `month` may be stored.
    pub fn allows(&self, topology: &Topology, unit: &UnitCode, month: Month, now: Month) -> Result<(), String> {
        if !topology.knows_commune(unit) {
            return Err(format!("there is no commune {unit}"));
        }
        let Some(province) = &self.province else { return Ok(()) };
        if [month, now].iter().any(|m| topology.at(*m).is_within(unit, province)) {
            return Ok(());
        }
        Err(format!("commune {unit} is outside province {province}"))
    }

    /// Every commune that was in the sender's province at some time: whose stored dossiers it may
    /// replace. `None` for an admin, who may replace any.
    pub fn holdable(&self, topology: &Topology, now: Month) -> Option<HashSet<UnitCode>> {
        let province = self.province.as_ref()?;
        let communes = topology.versions.iter().filter(|v| v.level == UnitLevel::Commune);
        Some(
            communes
                .filter(|v| topology.at(v.valid_to.unwrap_or(now).min(now)).is_within(&v.code, province))
                .map(|v| v.code.clone())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hierarchy::tests::{bac_giang, code, m};

    fn p(role: Role, unit: Option<&str>) -> Principal {
        Principal::new("someone".into(), role, unit.map(code)).unwrap()
    }

    #[test]
    fn tokens_must_fit_their_role() {
        assert_eq!(Principal::new("x".into(), Role::District, None), Err(PrincipalError::MissingUnit(Role::District)));
        assert!(matches!(
            Principal::new("x".into(), Role::Commune, Some(code("215"))),
            Err(PrincipalError::WrongUnitLevel { .. })
        ));
        assert_eq!(Principal::new("x".into(), Role::Admin, Some(code("24"))), Err(PrincipalError::AdminWithUnit));
        assert!(Principal::new("x".into(), Role::Portal, Some(code("24"))).is_ok());
        // The subject is recorded as the actor of every write: one line, bounded.
        for bad in [String::new(), "a".repeat(257), "dong\u{0}son".into(), "a\nb".into()] {
            assert_eq!(Principal::new(bad.clone(), Role::Admin, None), Err(PrincipalError::Subject), "{bad:?}");
        }
        assert!(Principal::new("a".repeat(256), Role::Admin, None).is_ok());
    }

    #[test]
    fn scope_follows_the_tree_of_the_period() {
        let units = bac_giang();
        let then = Hierarchy::at(&units, m("2024-06"));
        let now = Hierarchy::at(&units, m("2026-01"));
        let district = p(Role::District, Some("215"));
        assert!(district.can_view(&code("07273"), &then, &now, &[]));
        assert!(district.can_view(&code("215"), &then, &now, &[]));
        assert!(!district.can_view(&code("07300"), &then, &now, &[]), "a sibling district's commune");
        assert!(!district.can_view(&code("24"), &then, &now, &[]), "its own province");
        let commune = p(Role::Commune, Some("07273"));
        assert!(commune.can_view(&code("07273"), &then, &now, &[]));
        assert!(!commune.can_view(&code("07279"), &then, &now, &[]));
        assert!(p(Role::Province, Some("24")).can_view(&code("07300"), &then, &now, &[]));
        assert!(p(Role::Admin, None).can_view(&code("07300"), &then, &now, &[]));
    }

    #[test]
    fn a_successor_sees_its_predecessors_history() {
        let units = bac_giang();
        let then = Hierarchy::at(&units, m("2024-06"));
        let now = Hierarchy::at(&units, m("2026-01"));
        let merges = vec![
            Merge { absorbed: code("07273"), successor: code("07294"), effective: m("2025-07") },
            Merge { absorbed: code("07279"), successor: code("07294"), effective: m("2025-07") },
        ];
        let bo_ha = p(Role::Commune, Some("07294"));
        assert!(bo_ha.can_view(&code("07273"), &then, &now, &merges));
        assert!(!bo_ha.can_view(&code("07300"), &then, &now, &merges));
        assert!(!p(Role::Commune, Some("07273")).can_view(&code("07279"), &then, &now, &merges));
    }

    #[test]
    fn a_list_shows_exactly_the_units_each_may_see() {
        let units = bac_giang();
        let then = Hierarchy::at(&units, m("2024-06"));
        let now = Hierarchy::at(&units, m("2026-01"));
        let merges = vec![Merge { absorbed: code("07273"), successor: code("07294"), effective: m("2025-07") }];
        for caller in [
            p(Role::Commune, Some("07294")),
            p(Role::District, Some("215")),
            p(Role::Province, Some("24")),
            p(Role::Admin, None),
        ] {
            let mut listed: Vec<&str> =
                caller.visible_in(&then, &now, &merges).iter().map(|n| n.code.as_str()).collect();
            let mut allowed: Vec<&str> = then
                .nodes()
                .filter(|n| caller.can_view(&n.code, &then, &now, &merges))
                .map(|n| n.code.as_str())
                .collect();
            listed.sort();
            allowed.sort();
            assert_eq!(listed, allowed, "{}", caller.describe());
        }
        let bo_ha: Vec<String> = p(Role::Commune, Some("07294"))
            .visible_in(&then, &now, &merges)
            .iter()
            .map(|n| n.code.to_string())
            .collect();
        assert!(bo_ha.contains(&"07273".to_owned()), "its predecessor: {bo_ha:?}");
    }

    /// District 026 moves from province 02 to 01 in 2025-01; its commune 00703 moves to district
    /// 027 and stays in 02, while 00704 stays in 026.
    fn a_district_that_moves_province() -> Topology {
        use crate::hierarchy::tests::version;
        Topology::new(
            vec![
                version("01", "Tỉnh Một", None, None, None),
                version("02", "Tỉnh Hai", None, None, None),
                version("026", "Huyện Hai Sáu", Some("02"), None, Some("2024-12")),
                version("026", "Huyện Hai Sáu", Some("01"), Some("2025-01"), None),
                version("027", "Huyện Hai Bảy", Some("02"), None, None),
                version("00703", "Xã Bảy Linh Ba", Some("026"), None, Some("2024-12")),
                version("00703", "Xã Bảy Linh Ba", Some("027"), Some("2025-01"), None),
                version("00704", "Xã Bảy Linh Bốn", Some("026"), None, None),
            ],
            Vec::new(),
        )
    }

    #[test]
    fn a_list_leaves_out_the_communes_that_stayed_behind() {
        let t = a_district_that_moves_province();
        let (june, now) = (m("2024-06"), m("2026-01"));
        let one = p(Role::Province, Some("01"));
        assert!(one.ensure_can_view(&code("026"), &t, june, now).is_ok(), "026 is below 01 now");
        assert_eq!(one.hidden_below(&t, &code("026"), june, now), HashSet::from([code("00703")]));
        assert!(one.hidden_below(&t, &code("026"), now, now).is_empty());
        assert!(p(Role::Province, Some("02")).hidden_below(&t, &code("026"), june, now).is_empty());
        assert!(p(Role::Admin, None).hidden_below(&t, &code("026"), june, now).is_empty());
        let restricted = t.without(&one.hidden_below(&t, &code("026"), june, now));
        let tree = restricted.at(june);
        let listed: Vec<&str> = tree.communes_below(Some(&code("026"))).iter().map(|n| n.code.as_str()).collect();
        assert_eq!(listed, ["00704"]);
    }

    #[test]
    fn drafts_are_for_the_commune_and_admins() {
        let dong_son = code("07273");
        assert!(p(Role::Commune, Some("07273")).can_read_report(&dong_son, ReportStatus::Draft));
        assert!(p(Role::Admin, None).can_read_report(&dong_son, ReportStatus::Draft));
        assert!(!p(Role::District, Some("215")).can_read_report(&dong_son, ReportStatus::Draft));
        assert!(p(Role::District, Some("215")).can_read_report(&dong_son, ReportStatus::Returned));
    }

    #[test]
    fn who_manages_users_schemes_the_audit_and_the_feed() {
        let province = p(Role::Province, Some("24"));
        let district = p(Role::District, Some("215"));
        assert!(province.ensure_manages_users().is_ok());
        assert_eq!(
            district.ensure_manages_users().unwrap_err().to_string(),
            "users are managed by admins and province staff; this is a district token for unit 215"
        );
        assert!(province.may_manage_user(Role::Commune, Some(&code("24"))));
        assert!(!province.may_manage_user(Role::Commune, Some(&code("27"))), "another province's");
        assert!(!province.may_manage_user(Role::Admin, Some(&code("24"))), "never an admin");
        assert!(!province.may_manage_user(Role::Commune, None));
        assert!(p(Role::Admin, None).may_manage_user(Role::Admin, None));
        assert_eq!(province.scheme_owner(), Ok(Some(code("24"))));
        assert!(district.scheme_owner().is_err());
        assert!(province.may_use_scheme(None, Some(&code("24"))));
        assert!(province.may_use_scheme(Some(&code("24")), Some(&code("24"))));
        assert!(!district.may_use_scheme(Some(&code("27")), Some(&code("24"))));
        assert_eq!(province.audit_scope(), Ok(Some(code("24"))));
        assert!(p(Role::Portal, Some("24")).audit_scope().is_err());
        assert_eq!(p(Role::Portal, Some("24")).feed_scope(), Ok(Some(code("24"))));
        assert_eq!(p(Role::Admin, None).feed_scope(), Ok(None));
        assert!(p(Role::Commune, Some("07273")).feed_scope().is_err());
        assert_eq!(p(Role::Portal, Some("24")).dossier_scope().map(|s| s.province), Ok(Some(code("24"))));
        assert!(province.dossier_scope().is_err());
    }

    #[test]
    fn a_portal_writes_for_its_province_then_or_now() {
        let t = Topology::new(bac_giang(), Vec::new());
        let scope = p(Role::Portal, Some("24")).dossier_scope().unwrap();
        let (june, now) = (m("2024-06"), m("2026-01"));
        assert_eq!(scope.allows(&t, &code("07273"), june, now), Ok(()));
        assert_eq!(scope.allows(&t, &code("07999"), june, now), Err("there is no commune 07999".into()));
        let other = DossierScope { province: Some(code("27")) };
        assert_eq!(other.allows(&t, &code("07273"), june, now), Err("commune 07273 is outside province 27".into()));
        let held = scope.holdable(&t, now).unwrap();
        assert!(held.contains(&code("07273")) && held.contains(&code("07294")), "{held:?}");
        assert!(!held.contains(&code("07300")), "Cao Xá is under no province after its district ended");
        assert_eq!(DossierScope { province: None }.holdable(&t, now), None);
    }

    #[test]
    fn scope_is_checked_against_the_topology() {
        let t = Topology::new(bac_giang(), Vec::new());
        let district = p(Role::District, Some("215"));
        assert!(district.ensure_can_view(&code("07273"), &t, m("2024-06"), m("2026-01")).is_ok());
        assert_eq!(
            district.ensure_can_view(&code("07300"), &t, m("2024-06"), m("2026-01")).unwrap_err().to_string(),
            "a district token for unit 215 may not see unit 07300"
        );
        assert!(p(Role::Admin, None).covers(&t.at(m("2024-06")), &code("07300")));
        assert!(!district.covers(&t.at(m("2024-06")), &code("216")));
    }

    #[test]
    fn only_the_commune_itself_files_its_report() {
        assert!(p(Role::Commune, Some("07273")).can_submit(&code("07273")));
        assert!(!p(Role::Commune, Some("07273")).can_submit(&code("07279")));
        assert!(!p(Role::District, Some("215")).can_submit(&code("07273")));
        assert!(p(Role::Admin, None).can_submit(&code("07273")));
    }
}
