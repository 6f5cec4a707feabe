//! Which records the sender may store: each is read (`cchc_domain::portal::parse_record`) and
//! its commune checked against the sender's province, as the tree stood in the dossier's month
//! or stands now.

use std::collections::HashSet;
use std::sync::Arc;

use cchc_domain::access::DossierScope;
use cchc_domain::portal::{Conflict, Dossier, parse_record};
use cchc_domain::{Month, Topology};

pub struct Scope {
    pub dossiers: DossierScope,
    pub topology: Arc<Topology>,
    pub now: Month,
}

impl Scope {
    /// Reads one record and checks that the sender may store it.
    pub fn check(&self, index: usize, json: &serde_json::Value) -> Result<Dossier, Vec<Conflict>> {
        let d = parse_record(index, json)?;
        let month = d.received_at.map(|t| Month::of_date(t.date())).unwrap_or(self.now);
        self.dossiers
            .allows(&self.topology, &d.unit, month, self.now)
            .map_err(|reason| vec![Conflict { index, field: "DonViXuLy".into(), reason }])?;
        Ok(d)
    }

    /// The communes whose stored dossiers the sender may replace; `None`: any.
    pub fn holdable(&self) -> Option<HashSet<String>> {
        Some(self.dossiers.holdable(&self.topology, self.now)?.into_iter().map(|c| c.into_string()).collect())
    }
}
