//! The outbound change feed the portal syncs from: its province's items and national ones (all
//! for admins), in a stable order, every item exactly once, even while writes commit out of
//! order (see `cchc_persistence::feed`).

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use utoipa::ToSchema;

use cchc_domain::feed::FeedKind;
use cchc_domain::period::to_vietnam_time;
use cchc_persistence::{DbConnection, feed};

use super::paging::{decode_cursor, encode_cursor};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    pub kind: FeedKind,
    /// What it is about: `07273/2024-06`, `07273`, `commune-par@2`.
    pub subject: String,
    pub province_code: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Where to continue; ask again with `since=next`, also when `items` is empty.
    pub next: String,
}

const START: (i64, i64) = (i64::MIN, i64::MIN);

fn position(cursor: Option<&str>) -> ApiResult<(i64, i64)> {
    let Some(c) = cursor else { return Ok(START) };
    let bad = || Problem::InvalidPaging.error("the cursor is not one this server issued; start again without `since`");
    let text = decode_cursor(c)?;
    let (seq, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((seq.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

fn cursor((seq, id): (i64, i64)) -> String {
    encode_cursor(&format!("{seq}.{id}"))
}

/// The items after `since` (the `next` of the previous page), at most `limit`.
pub fn read(conn: &mut DbConnection, caller: &Caller, since: Option<&str>, limit: usize) -> ApiResult<FeedPage> {
    let province = caller.feed_scope()?;
    let after = position(since)?;
    let events = feed::read(conn, after, limit as i64, province.as_ref())?;
    let next = cursor(events.last().map_or(after, |e| (e.seq, e.id)));
    let items = events
        .into_iter()
        .map(|e| FeedItem {
            kind: e.kind,
            subject: e.subject,
            province_code: e.province_code,
            created_at: to_vietnam_time(e.created_at),
            payload: e.payload,
        })
        .collect();
    Ok(FeedPage { items, next })
}
