//! What several servers on one PostgreSQL share: the live feed (LISTEN/NOTIFY of committed
//! id ranges) and leadership (a session advisory lock).
use std::sync::Arc;
use std::time::Duration;

use fallible_iterator::FallibleIterator;
use postgres::Client;

use super::{schema, Inner};
use crate::{Error, ErrorKind, Feed, Leadership, Subscription};

/// How long a feed or leadership connection attempt may take.
const CONNECT: Duration = Duration::from_secs(2);

/// Batches other servers committed, fetched by id range when their notification arrives.
pub(crate) struct PgSubscription {
    inner: Arc<Inner>,
    listener: Option<Client>,
    /// A listener was connected before (a new one means notifications were missed).
    had_listener: bool,
}

impl PgSubscription {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        PgSubscription {
            inner,
            listener: None,
            had_listener: false,
        }
    }

    fn listen(&mut self) -> Result<&mut Client, Error> {
        if self.listener.as_ref().is_some_and(|c| c.is_closed()) {
            self.listener = None;
        }
        if self.listener.is_none() {
            let mut c = self.inner.connect_new(CONNECT)?;
            c.batch_execute(&format!(r#"LISTEN "{}_records""#, self.inner.table))?;
            self.listener = Some(c);
            if std::mem::replace(&mut self.had_listener, true) {
                return Err(Error::new(
                    ErrorKind::Unavailable,
                    "the live feed reconnected; batches committed meanwhile were missed",
                ));
            }
        }
        Ok(self.listener.as_mut().expect("just set"))
    }
}

/// What a notification says: `node first last` (a committed id range) or
/// `msg node text` (a broadcast message).
#[derive(Debug, PartialEq)]
enum Note<'a> {
    Range(u64, i64, i64),
    Message(u64, &'a str),
}

fn parse(payload: &str) -> Option<Note<'_>> {
    if let Some(rest) = payload.strip_prefix("msg ") {
        let (node, text) = rest.split_once(' ')?;
        return Some(Note::Message(node.parse().ok()?, text));
    }
    let mut it = payload.split(' ');
    let node = it.next()?.parse().ok()?;
    let first = it.next()?.parse().ok()?;
    let last = it.next()?.parse().ok()?;
    Some(Note::Range(node, first, last))
}

impl Subscription for PgSubscription {
    fn next(&mut self, timeout: Duration) -> Result<Feed, Error> {
        let node = self.inner.node;
        let ranges = {
            let c = self.listen()?;
            let mut ranges = Vec::new();
            let mut n = c.notifications();
            let lost = |e: postgres::Error| Error::from(e);
            let first = n.timeout_iter(timeout).next().map_err(lost)?;
            if let Some(first) = first {
                ranges.push(first.payload().to_string());
                let mut more = n.iter();
                while let Some(m) = more.next().map_err(lost)? {
                    ranges.push(m.payload().to_string());
                    if ranges.len() >= 1000 {
                        break;
                    }
                }
            }
            ranges
        };
        let mut out = Feed::default();
        for note in ranges.iter().filter_map(|p| parse(p)) {
            match note {
                Note::Range(from, first, last) if from != node => {
                    out.records.extend(self.inner.range(first, last)?);
                }
                Note::Message(from, text) if from != node => out.messages.push(text.to_string()),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// Leadership by `pg_try_advisory_lock` on a connection of its own: released when this
/// process stops or its connection breaks, then another process takes it.
pub(crate) struct PgLeadership {
    inner: Arc<Inner>,
    client: Option<Client>,
    leading: bool,
}

impl PgLeadership {
    pub(crate) fn new(inner: Arc<Inner>) -> Self {
        PgLeadership {
            inner,
            client: None,
            leading: false,
        }
    }

    fn check(&mut self) -> Result<bool, Error> {
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.leading = false;
            self.client = Some(self.inner.connect_new(CONNECT)?);
        }
        let c = self.client.as_mut().expect("just set");
        if self.leading {
            // Still connected, so still holding the lock.
            c.simple_query("SELECT 1")?;
        } else {
            let key = schema::lock_key(&self.inner.table, "leader");
            self.leading = c
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                .get(0);
        }
        Ok(self.leading)
    }
}

impl Leadership for PgLeadership {
    fn is_leader(&mut self) -> bool {
        match self.check() {
            Ok(l) => l,
            Err(_) => {
                self.client = None;
                self.leading = false;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn payloads() {
        use super::Note;
        assert_eq!(
            super::parse("7 1048576 1048999"),
            Some(Note::Range(7, 1_048_576, 1_048_999))
        );
        assert_eq!(
            super::parse("msg 7 ack 3 ops"),
            Some(Note::Message(7, "ack 3 ops"))
        );
        assert_eq!(super::parse("7 x 1"), None);
        assert_eq!(super::parse(""), None);
    }
}
