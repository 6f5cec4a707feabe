//! Units as a caller may see them: one unit as of a period with its whole history, or the units
//! directly below it.

use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::hierarchy::{Node, UnitVersion, predecessors};
use cchc_domain::{Month, Principal, Topology, UnitCode, UnitLevel};
use cchc_persistence::{DbConnection, units};

use super::paging::page;
use crate::error::{ApiResult, Problem};
use crate::export::{Cell, Table};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    /// First month of this version; null means from the beginning.
    pub valid_from: Option<String>,
    /// Last month of this version; null means still valid.
    pub valid_to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub code: String,
    /// The name in force at `as_of`.
    pub name: String,
    pub level: UnitLevel,
    pub parent_code: Option<String>,
    /// The month the name, level and parent are taken at.
    pub as_of: String,
    /// Whether the unit exists in that month.
    pub exists: bool,
    /// The unit this one was merged into, with the month it took effect.
    pub merged_into: Option<MergeView>,
    /// Units merged into this one.
    pub predecessors: Vec<String>,
    /// Every version of the unit, oldest first.
    pub versions: Vec<VersionView>,
}

#[derive(Serialize, ToSchema)]
pub struct MergeView {
    pub successor_code: String,
    pub effective_from: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChildView {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
}

#[derive(Serialize, ToSchema)]
pub struct ChildrenPage {
    pub parent_code: String,
    pub as_of: String,
    pub items: Vec<ChildView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next: Option<String>,
}

fn version_view(v: &UnitVersion) -> VersionView {
    VersionView {
        name: v.name.clone(),
        level: v.level,
        parent_code: v.parent.as_ref().map(UnitCode::to_string),
        valid_from: v.valid_from.map(|m| m.to_string()),
        valid_to: v.valid_to.map(|m| m.to_string()),
    }
}

/// A unit as of `at`: the version in force; failing that, the last one before `at`, or else the
/// first after it.
pub fn unit_view(code: &UnitCode, topology: &Topology, at: Month) -> ApiResult<UnitView> {
    let versions: Vec<&UnitVersion> = topology.versions_of(code).collect();
    let current = versions
        .iter()
        .find(|v| v.is_valid_at(at))
        .or_else(|| versions.iter().filter(|v| v.valid_to.is_some_and(|t| t < at)).max_by_key(|v| v.valid_to))
        .or_else(|| versions.first())
        .ok_or_else(|| Problem::UnitNotFound.error(format!("there is no unit {code}")))?;
    Ok(UnitView {
        code: code.to_string(),
        name: current.name.clone(),
        level: current.level,
        parent_code: current.parent.as_ref().map(UnitCode::to_string),
        as_of: at.to_string(),
        exists: current.is_valid_at(at),
        merged_into: topology
            .merges
            .iter()
            .find(|m| &m.absorbed == code)
            .map(|m| MergeView { successor_code: m.successor.to_string(), effective_from: m.effective.to_string() }),
        predecessors: predecessors(&topology.merges, code).iter().map(UnitCode::to_string).collect(),
        versions: versions.into_iter().map(version_view).collect(),
    })
}

/// One unit as of `at`. Outside the caller's scope a unit that does not exist is refused like
/// one that does, so a token cannot probe which codes exist.
pub fn get(conn: &mut DbConnection, caller: &Principal, code: &UnitCode, at: Month) -> ApiResult<UnitView> {
    let topology = units::topology_around(conn, code)?;
    if !topology.knows(code) && caller.is_admin() {
        return Err(Problem::UnitNotFound.error(format!("there is no unit {code}")));
    }
    caller.ensure_can_view(code, &topology, at, super::this_month())?;
    unit_view(code, &topology, at)
}

/// The units directly below `code` as of `at`, by code, after the code `after`.
pub fn children(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    code: &UnitCode,
    at: Month,
    limit: usize,
    after: Option<String>,
) -> ApiResult<ChildrenPage> {
    let topology = st.topology.get(conn, None)?;
    caller.ensure_can_view(code, &topology, at, super::this_month())?;
    let tree = super::in_view(caller, topology, code, at).at(at);
    if !tree.contains(code) {
        return Err(Problem::UnitNotFound.error(format!("unit {code} does not exist in {at}")));
    }
    let items: Vec<ChildView> = tree
        .children(code)
        .iter()
        .filter(|c| after.as_deref().is_none_or(|a| c.as_str() > a))
        .filter_map(|c| tree.get(c))
        .take(limit + 1)
        .map(|n| ChildView { code: n.code.to_string(), name: n.name.clone(), level: n.level })
        .collect();
    let (items, next) = page(items, limit, |c| c.code.clone());
    Ok(ChildrenPage { parent_code: code.to_string(), as_of: at.to_string(), items, next })
}

/// Which units a list holds: those of the tree of `at`, of one level, directly below one parent,
/// whose name contains `text` (ignoring case) or whose code starts with it.
pub struct UnitFilter {
    pub at: Month,
    pub level: Option<UnitLevel>,
    pub parent: Option<UnitCode>,
    pub text: Option<String>,
}

/// A unit with the version in force in the list's month.
#[derive(Serialize, ToSchema)]
pub struct UnitListItem {
    pub code: String,
    #[serde(flatten)]
    pub version: VersionView,
}

#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    /// The month the tree is taken at.
    pub as_of: String,
    pub items: Vec<UnitListItem>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next: Option<String>,
}

/// The units the caller may see in the tree of `filter.at`, by code: the list to reconcile
/// against the official one.
pub fn list(
    conn: &mut DbConnection,
    st: &AppState,
    caller: &Principal,
    filter: &UnitFilter,
    limit: usize,
    after: Option<String>,
) -> ApiResult<UnitPage> {
    let topology = st.topology.get(conn, None)?;
    let (then, now) = (topology.at(filter.at), topology.at(super::this_month()));
    let text = filter.text.as_deref().map(str::to_lowercase);
    let mut nodes: Vec<&Node> = caller
        .visible_in(&then, &now, &topology.merges)
        .into_iter()
        .filter(|n| filter.level.is_none_or(|l| n.level == l))
        .filter(|n| filter.parent.is_none() || n.parent == filter.parent)
        .filter(|n| text.as_deref().is_none_or(|t| n.code.as_str().starts_with(t) || n.name.to_lowercase().contains(t)))
        .filter(|n| after.as_deref().is_none_or(|a| n.code.as_str() > a))
        .collect();
    nodes.sort_by(|a, b| a.code.cmp(&b.code));
    let in_force = |n: &Node| topology.versions_of(&n.code).find(|v| v.is_valid_at(filter.at)).map(version_view);
    let items: Vec<UnitListItem> = nodes
        .into_iter()
        .filter_map(|n| in_force(n).map(|version| UnitListItem { code: n.code.to_string(), version }))
        .take(limit + 1)
        .collect();
    let (items, next) = page(items, limit, |u| u.code.clone());
    Ok(UnitPage { as_of: filter.at.to_string(), items, next })
}

/// The list as a spreadsheet table.
pub fn table(page: &UnitPage) -> Table {
    // The level's name as of the list's month (thị trấn until June 2025, đặc khu from July).
    let as_of: Option<Month> = page.as_of.parse().ok();
    let level = |l: UnitLevel| as_of.map_or(l.label_vi(), |m| l.label_vi_in(m));
    let rows = page
        .items
        .iter()
        .map(|u| {
            vec![
                Cell::from(u.code.clone()),
                Cell::from(u.version.name.clone()),
                Cell::from(level(u.version.level)),
                Cell::from(u.version.parent_code.clone().unwrap_or_default()),
                Cell::from(u.version.valid_from.clone().unwrap_or_default()),
                Cell::from(u.version.valid_to.clone().unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        name: format!("don-vi-{}", page.as_of),
        title: format!("Danh sách đơn vị hành chính, tháng {}", page.as_of),
        headers: ["Mã đơn vị", "Tên đơn vị", "Cấp", "Mã đơn vị cấp trên", "Hiệu lực từ", "Hiệu lực đến"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}
