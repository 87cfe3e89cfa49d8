use hwlog_core::{Decision, Filter, Record, SharedStr};

/// Where the `host` field comes from when the scope names none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostSource {
    /// Leave `host` out unless the scope sets it.
    None,
    /// This machine's host name.
    Machine,
    /// A fixed value.
    Fixed(SharedStr),
}

/// This machine's host name (from the kernel, `/etc/hostname` or `$HOSTNAME`).
pub fn machine_hostname() -> Option<String> {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Adds the scope's context as fields: `user`, `session`, `host`, and while an operation runs
/// (see `Logger::start_operation`), `operation` and `op_elapsed_ms`. Fields the record already
/// has are not duplicated.
///
/// ```
/// use hwlog::context::Context;
/// use hwlog::filter::{ContextFilter, HostSource};
/// use hwlog::{Filter, Level, Record};
/// let f = ContextFilter::new(HostSource::Fixed("node-7".into()));
/// let mut rec = Context::new().user("alice").run(|| Record::new(Level::Info, "api", "hi"));
/// f.decide(&mut rec, &mut Vec::new());
/// assert_eq!(rec.field("user").unwrap().as_str(), Some("alice"));
/// assert_eq!(rec.field("host").unwrap().as_str(), Some("node-7"));
/// ```
#[derive(Clone, Debug)]
pub struct ContextFilter {
    host: Option<SharedStr>,
}

impl ContextFilter {
    /// A context filter.
    pub fn new(host: HostSource) -> Self {
        ContextFilter {
            host: match host {
                HostSource::None => None,
                HostSource::Machine => machine_hostname().map(SharedStr::from),
                HostSource::Fixed(h) => Some(h),
            },
        }
    }
}

fn add(rec: &mut Record, key: &'static str, v: Option<&SharedStr>) {
    if let Some(v) = v {
        if rec.field(key).is_none() {
            rec.push_field(key, v.to_string());
        }
    }
}

impl Filter for ContextFilter {
    fn name(&self) -> &str {
        "context"
    }

    fn decide(&self, rec: &mut Record, _emit: &mut Vec<Record>) -> Decision {
        let ctx = rec.context.clone();
        if let Some(ctx) = &ctx {
            add(rec, "user", ctx.user.as_ref());
            add(rec, "session", ctx.session.as_ref());
            add(rec, "host", ctx.host.as_ref().or(self.host.as_ref()));
            if let Some((name, started)) = &ctx.operation {
                add(rec, "operation", Some(name));
                if rec.field("op_elapsed_ms").is_none() {
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    rec.push_field("op_elapsed_ms", (ms * 1000.0).round() / 1000.0);
                }
            }
        } else {
            add(rec, "host", self.host.as_ref());
        }
        hwlog_core::Decision::Neutral
    }

    fn describe(&self) -> String {
        format!(
            "context(host={})",
            self.host.as_deref().unwrap_or("from scope")
        )
    }
}
