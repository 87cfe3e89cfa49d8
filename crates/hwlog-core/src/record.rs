use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::context::{self, ContextData};
use crate::{Level, SharedStr, Timestamp, Value};

/// The thread a record was created on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// A small process-unique number for the thread (1, 2, …, in order of first use).
    pub id: u64,
    /// The thread's name, if it has one.
    pub name: Option<SharedStr>,
}

static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);

/// Thread names are interned: each distinct name is allocated once for the process, so a
/// record copies a `&'static str` instead of bumping a shared reference count.
fn intern(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut g = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    let set = g.get_or_insert_with(HashSet::new);
    if let Some(s) = set.get(name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_string().into_boxed_str());
    set.insert(s);
    s
}

thread_local! {
    static THREAD: ThreadInfo = ThreadInfo {
        id: NEXT_THREAD.fetch_add(1, Ordering::Relaxed),
        name: std::thread::current().name().map(|n| SharedStr::Static(intern(n))),
    };
}

fn pid() -> u32 {
    static PID: AtomicU64 = AtomicU64::new(0);
    let p = PID.load(Ordering::Relaxed);
    if p != 0 {
        return p as u32;
    }
    let p = std::process::id();
    PID.store(p as u64, Ordering::Relaxed);
    p
}

/// One log event as it flows through a pipeline.
///
/// Built on the caller's thread ([`Record::new`] captures the time, thread, process id,
/// correlation id and context of the current scope), then handed to filters (which may change
/// it), a formatter and a sink.
#[derive(Clone, Debug)]
pub struct Record {
    /// When the record was created (UTC).
    pub timestamp: Timestamp,
    /// Severity.
    pub level: Level,
    /// Logger name = component, dotted (`hwautomation.hardware.ipmi`).
    pub component: SharedStr,
    /// The message.
    pub message: Cow<'static, str>,
    /// Typed fields in the order they were added.
    pub fields: Vec<(SharedStr, Value)>,
    /// The request this record belongs to.
    pub correlation_id: Option<SharedStr>,
    /// User, session, host and operation of the scope the record was created in.
    pub context: Option<Arc<ContextData>>,
    /// Thread that created the record.
    pub thread: ThreadInfo,
    /// Process id.
    pub pid: u32,
    /// Source file, when known.
    pub file: Option<SharedStr>,
    /// Source line, when known.
    pub line: Option<u32>,
    /// Error chain (`outer: cause: root cause`) or backtrace text, when the record carries one.
    pub error: Option<String>,
}

impl Record {
    /// A record stamped with the current time, thread, process, correlation id and context.
    #[inline]
    pub fn new(
        level: Level,
        component: impl Into<SharedStr>,
        message: impl Into<Cow<'static, str>>,
    ) -> Record {
        let (correlation_id, context) = context::capture();
        Record {
            timestamp: Timestamp::now(),
            level,
            component: component.into(),
            message: message.into(),
            fields: Vec::new(),
            correlation_id,
            context,
            thread: THREAD.with(|t| t.clone()),
            pid: pid(),
            file: None,
            line: None,
            error: None,
        }
    }

    /// Appends a field.
    pub fn push_field(&mut self, key: impl Into<SharedStr>, value: impl Into<Value>) {
        self.fields.push((key.into(), value.into()));
    }

    /// Builder form of [`Record::push_field`].
    pub fn with_field(mut self, key: impl Into<SharedStr>, value: impl Into<Value>) -> Self {
        self.push_field(key, value);
        self
    }

    /// The last value of a field.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    /// Sets the error text from an error and its chain of sources (`outer: cause: root`).
    pub fn set_error(&mut self, err: &(dyn std::error::Error + 'static)) {
        let mut text = err.to_string();
        let mut src = err.source();
        while let Some(s) = src {
            text.push_str(": ");
            text.push_str(&s.to_string());
            src = s.source();
        }
        self.error = Some(text);
    }

    /// Sets the source location.
    pub fn with_location(mut self, file: impl Into<SharedStr>, line: u32) -> Self {
        self.file = Some(file.into());
        self.line = Some(line);
        self
    }
}
