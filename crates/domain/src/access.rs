//! Who may see and change what. A unit-scoped role sees its own unit, the units below it in
//! the period of the data, and the predecessors of units below it now — never a sibling's data.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::hierarchy::{Hierarchy, Merge, predecessors};
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

    /// Whether this principal may file `commune`'s report: its own commune's officer, or an admin.
    pub fn can_submit(&self, commune: &UnitCode) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Commune => self.unit.as_ref() == Some(commune),
            _ => false,
        }
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
        assert!(!commune.can_view(&code("07276"), &then, &now, &[]));
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
            Merge { absorbed: code("07276"), successor: code("07294"), effective: m("2025-07") },
        ];
        let bo_ha = p(Role::Commune, Some("07294"));
        assert!(bo_ha.can_view(&code("07273"), &then, &now, &merges));
        assert!(!bo_ha.can_view(&code("07300"), &then, &now, &merges));
        assert!(!p(Role::Commune, Some("07273")).can_view(&code("07276"), &then, &now, &merges));
    }

    #[test]
    fn only_the_commune_itself_files_its_report() {
        assert!(p(Role::Commune, Some("07273")).can_submit(&code("07273")));
        assert!(!p(Role::Commune, Some("07273")).can_submit(&code("07276")));
        assert!(!p(Role::District, Some("215")).can_submit(&code("07273")));
        assert!(p(Role::Admin, None).can_submit(&code("07273")));
    }
}
