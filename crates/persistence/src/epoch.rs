//! A token that changes with every commit to the database, by this process or any other, so
//! that a cache keyed by it can never serve what a commit has made stale.
//!
//! - PostgreSQL: the current snapshot (`xmin:xmax:in-progress`). Any transaction that ends
//!   moves `xmax` or leaves the in-progress list, so equal snapshots see the same commits.
//!   Read-only transactions take no transaction id and leave it as it is.
//! - SQLite: `PRAGMA data_version`, which changes whenever another connection, in any
//!   process, commits. It is read on one connection that never writes.
//!
//! Both are read on a connection kept for the purpose, outside the pool.
//!
//! A reader takes the epoch *before* it reads the data it caches, so the data is at least as
//! new as the epoch it is filed under; a later commit changes the epoch, and the entry is
//! never served again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::connection::{DbConnection, Manager};
use crate::error::{DbError, DbResult};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Epoch(String);

/// Reads a database's epoch through a connection of its own, outside the pool: one query,
/// no checkout, no validity check. The connection is opened on first use and reopened after
/// an error.
///
/// Callers that arrive while a read is under way share the next one: each read has a ticket
/// taken when it starts, and a caller may use any read whose ticket is newer than the count it
/// saw on arrival — a read that started after it arrived, so after any write it was told of.
#[derive(Clone)]
pub(crate) struct EpochSource {
    manager: Manager,
    watcher: Option<Arc<Mutex<Watcher>>>,
    started: Arc<AtomicU64>,
}

#[derive(Default)]
pub(crate) struct Watcher {
    conn: Option<DbConnection>,
    generation: u64,
    last: Option<(u64, Epoch)>,
}

impl EpochSource {
    pub(crate) fn new(manager: Manager, watchable: bool) -> EpochSource {
        EpochSource { manager, watcher: watchable.then(Default::default), started: Default::default() }
    }

    pub(crate) fn read(&self) -> DbResult<Option<Epoch>> {
        // An in-memory SQLite database is private to each connection: nothing to watch.
        let Some(watcher) = &self.watcher else { return Ok(None) };
        let arrival = self.started.load(Ordering::SeqCst);
        let mut guard = watcher.lock().unwrap_or_else(|p| p.into_inner());
        let w = &mut *guard;
        if let Some((ticket, epoch)) = &w.last
            && *ticket > arrival
        {
            return Ok(Some(epoch.clone()));
        }
        let ticket = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        if w.conn.is_none() {
            let opened = self
                .manager
                .establish()
                .map_err(|e| DbError::Unavailable(format!("cannot open the change watcher: {e}")))?;
            w.conn = Some(opened);
            // A reopened SQLite watcher counts from its own start; the generation keeps its
            // values from ever equalling those of the one before.
            w.generation += 1;
        }
        let Some(conn) = w.conn.as_mut() else { return Ok(None) };
        let read = match conn {
            DbConnection::Postgresql(_) => {
                diesel::select(diesel::dsl::sql::<Text>("pg_current_snapshot()::text")).get_result::<String>(conn)
            }
            DbConnection::Sqlite(_) => {
                diesel::select(diesel::dsl::sql::<BigInt>("(SELECT data_version FROM pragma_data_version())"))
                    .get_result::<i64>(conn)
                    .map(|v| format!("{}.{v}", w.generation))
            }
        };
        match read {
            Ok(v) => {
                let epoch = Epoch(v);
                w.last = Some((ticket, epoch.clone()));
                Ok(Some(epoch))
            }
            Err(e) => {
                w.conn = None;
                w.last = None;
                Err(e.into())
            }
        }
    }
}

/// Values computed from the database, kept while its epoch stands. Every value filed under an
/// epoch was read after that epoch was taken; the first lookup under a new epoch drops them all.
pub struct EpochCache<K, V> {
    slot: Mutex<Slot<K, V>>,
    /// Beyond this total weight the entries are dropped before the next is added.
    budget: usize,
}

struct Slot<K, V> {
    epoch: Option<Epoch>,
    entries: std::collections::HashMap<K, (V, usize)>,
    weight: usize,
}

impl<K: std::hash::Hash + Eq, V: Clone> EpochCache<K, V> {
    pub fn new(budget: usize) -> Self {
        EpochCache { slot: Mutex::new(Slot { epoch: None, entries: Default::default(), weight: 0 }), budget }
    }

    pub fn get(&self, epoch: &Epoch, key: &K) -> Option<V> {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.epoch.as_ref() != Some(epoch) {
            slot.epoch = Some(epoch.clone());
            slot.entries.clear();
            slot.weight = 0;
            return None;
        }
        slot.entries.get(key).map(|(v, _)| v.clone())
    }

    /// Files `value`, read after `epoch` was taken, unless the cache has moved to another epoch.
    pub fn put(&self, epoch: &Epoch, key: K, value: V, weight: usize) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.epoch.as_ref() != Some(epoch) || weight > self.budget {
            return;
        }
        if slot.weight + weight > self.budget {
            slot.entries.clear();
            slot.weight = 0;
        }
        if let Some((_, old)) = slot.entries.insert(key, (value, weight)) {
            slot.weight -= old;
        }
        slot.weight += weight;
    }

    /// The cached value, or `load`'s (filed when there is an epoch).
    pub fn get_or_load<E>(&self, epoch: Option<&Epoch>, key: K, load: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some(e) = epoch
            && let Some(v) = self.get(e, &key)
        {
            return Ok(v);
        }
        let v = load()?;
        if let Some(e) = epoch {
            self.put(e, key, v.clone(), 1);
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Epoch {
        Epoch(s.to_owned())
    }

    #[test]
    fn entries_live_while_the_epoch_stands() {
        let c: EpochCache<&str, i32> = EpochCache::new(10);
        assert_eq!(c.get(&e("1"), &"a"), None);
        c.put(&e("1"), "a", 1, 1);
        assert_eq!(c.get(&e("1"), &"a"), Some(1));
        // Another commit: everything filed before it is gone, and stays gone.
        assert_eq!(c.get(&e("2"), &"a"), None);
        assert_eq!(c.get(&e("1"), &"a"), None);
    }

    #[test]
    fn a_value_read_under_an_older_epoch_is_not_filed() {
        let c: EpochCache<&str, i32> = EpochCache::new(10);
        assert_eq!(c.get(&e("1"), &"a"), None);
        assert_eq!(c.get(&e("2"), &"a"), None);
        c.put(&e("1"), "a", 1, 1);
        assert_eq!(c.get(&e("2"), &"a"), None);
    }

    #[test]
    fn the_budget_bounds_the_entries() {
        let c: EpochCache<&str, i32> = EpochCache::new(10);
        assert_eq!(c.get(&e("1"), &"a"), None);
        c.put(&e("1"), "a", 1, 6);
        c.put(&e("1"), "b", 2, 6);
        assert_eq!((c.get(&e("1"), &"a"), c.get(&e("1"), &"b")), (None, Some(2)));
        c.put(&e("1"), "c", 3, 11);
        assert_eq!(c.get(&e("1"), &"c"), None);
        let loaded: Result<i32, ()> = c.get_or_load(Some(&e("1")), "d", || Ok(4));
        assert_eq!((loaded, c.get(&e("1"), &"d")), (Ok(4), Some(4)));
    }
}
