//! The indicator catalog as stored: seeded from the embedded catalog at migration, read back
//! at start-up.

use diesel::prelude::*;

use cchc_domain::catalog::{Catalog, Indicator};

use crate::codec::{self, enum_str};
use crate::connection::{DbConnection, write_transaction};
use crate::error::{DbError, DbResult};
use crate::schema::indicators;

/// Replaces the stored catalog with `catalog`, in one transaction.
pub fn sync(conn: &mut DbConnection, catalog: &Catalog) -> DbResult<()> {
    write_transaction(conn, |c| {
        diesel::delete(indicators::table).execute(c)?;
        for (i, ind) in catalog.indicators().iter().enumerate() {
            diesel::insert_into(indicators::table)
                .values((
                    indicators::code.eq(&ind.code),
                    indicators::position.eq(i as i32),
                    indicators::label_vi.eq(&ind.label_vi),
                    indicators::label_en.eq(&ind.label_en),
                    indicators::domain.eq(enum_str(&ind.domain)),
                    indicators::kind.eq(enum_str(&ind.kind)),
                    indicators::unit_aggregation.eq(enum_str(&ind.unit_aggregation)),
                    indicators::time_aggregation.eq(enum_str(&ind.time_aggregation)),
                    indicators::source.eq(ind.source.as_deref()),
                    indicators::required_on_submit.eq(ind.required_on_submit),
                    indicators::superseded_from.eq(ind.superseded_from.map(|m| m.to_string())),
                    indicators::superseded_by.eq(codec::json(&ind.superseded_by)?),
                    indicators::labels_from.eq(codec::json(&ind.labels_from)?),
                ))
                .execute(c)?;
        }
        Ok(())
    })
}

type Row =
    (String, String, String, String, String, String, String, Option<String>, bool, Option<String>, String, String);

pub fn load(conn: &mut DbConnection) -> DbResult<Catalog> {
    let rows: Vec<Row> = indicators::table
        .order(indicators::position)
        .select((
            indicators::code,
            indicators::label_vi,
            indicators::label_en,
            indicators::domain,
            indicators::kind,
            indicators::unit_aggregation,
            indicators::time_aggregation,
            indicators::source,
            indicators::required_on_submit,
            indicators::superseded_from,
            indicators::superseded_by,
            indicators::labels_from,
        ))
        .load(conn)?;
    let list = rows
        .into_iter()
        .map(|(code, label_vi, label_en, domain, kind, ua, ta, source, required_on_submit, from, by, labels)| {
            let superseded_from = from
                .map(|m| m.parse().map_err(|e| DbError::Corrupt(format!("indicator {code}: superseded_from: {e}"))))
                .transpose()?;
            Ok(Indicator {
                code,
                label_vi,
                label_en,
                domain: codec::parse_enum(&domain)?,
                kind: codec::parse_enum(&kind)?,
                unit_aggregation: codec::parse_enum(&ua)?,
                time_aggregation: codec::parse_enum(&ta)?,
                source,
                required_on_submit,
                superseded_from,
                superseded_by: codec::from_json(&by)?,
                labels_from: codec::from_json(&labels)?,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    Catalog::new(list).map_err(|e| DbError::Corrupt(e.to_string()))
}
