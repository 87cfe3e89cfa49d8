//! Evaluating rules on a stream of records.
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::fmt;

use hwlog_core::{Level, Record, Value};

use super::{CmpOp, Expr, Field, Operand, Rule, TextOp, WindowFn};
use crate::duration::secs_of;
use crate::miner::{Change, TemplateMiner};

/// A rule that could not be evaluated on a record (for example a number compared with text
/// that is not a number). The rule is skipped for that record; the others go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    kind: EvalErrorKind,
    message: String,
}

/// What kind of [`EvalError`] it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalErrorKind {
    /// A value compared with a duration is not one.
    NotADuration,
    /// A value compared with a level is not a level name.
    NotALevel,
    /// A value compared with a number is not a number.
    NotANumber,
    /// Two values of kinds that do not compare.
    Incomparable,
}

impl EvalError {
    fn new(kind: EvalErrorKind, message: String) -> EvalError {
        EvalError { kind, message }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> EvalErrorKind {
        self.kind
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// [`RuleSet::add`] was given a name that is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateRule {
    /// The name.
    pub name: String,
}

impl fmt::Display for DuplicateRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a rule named {:?} exists", self.name)
    }
}

impl std::error::Error for DuplicateRule {}

/// Matches inside a window, kept as (time, count) runs so memory stays bounded: entries
/// closer than 1/1000 of the window share a run.
#[derive(Clone, Debug)]
struct WindowState {
    runs: VecDeque<(i64, u64)>,
    total: u64,
    window_ns: i64,
    latest: i64,
}

impl WindowState {
    fn new(window_ns: i64) -> Self {
        Self {
            runs: VecDeque::new(),
            total: 0,
            window_ns,
            latest: i64::MIN,
        }
    }
    fn advance(&mut self, now: i64) {
        self.latest = self.latest.max(now);
        let cutoff = self.latest.saturating_sub(self.window_ns);
        while let Some(&(t, n)) = self.runs.front() {
            if t > cutoff {
                break;
            }
            self.runs.pop_front();
            self.total -= n;
        }
    }
    fn add(&mut self, ts: i64) {
        if ts <= self.latest.saturating_sub(self.window_ns) {
            return; // too old to count
        }
        let grain = (self.window_ns / 1000).max(1);
        match self.runs.back_mut() {
            Some((t, n)) if ts >= *t && ts - *t < grain => *n += 1,
            _ => self
                .runs
                .push_back((ts.max(self.runs.back().map_or(ts, |b| b.0)), 1)),
        }
        self.total += 1;
    }
}

struct Entry {
    name: String,
    rule: Rule,
    windows: Vec<WindowState>,
    errors: u64,
    last_error: Option<String>,
}

/// The outcome of one record for one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evaluation {
    /// The rule matched the record.
    Matched(String),
    /// The rule failed on the record.
    Failed(String, EvalError),
}

/// Named rules evaluated together on a stream of records, with the state of their windows
/// and, when a rule uses `new_template`, a template miner.
///
/// ```
/// use hwlog_analysis::rules::{Evaluation, Rule, RuleSet};
/// use hwlog_core::{Level, Record};
///
/// let mut rules = RuleSet::new();
/// rules.add("critical", Rule::parse("{level} == \"CRITICAL\"").unwrap()).unwrap();
/// let hits = rules.evaluate(&Record::new(Level::Critical, "bmc", "power fault"));
/// assert_eq!(hits, [Evaluation::Matched("critical".into())]);
/// assert!(rules.evaluate(&Record::new(Level::Info, "bmc", "ok")).is_empty());
/// ```
#[derive(Default)]
pub struct RuleSet {
    rules: Vec<Entry>,
    miner: Option<TemplateMiner>,
}

impl RuleSet {
    /// No rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `rule` as `name`; fails when the name is taken.
    pub fn add(&mut self, name: &str, rule: Rule) -> Result<(), DuplicateRule> {
        if self.rules.iter().any(|e| e.name == name) {
            return Err(DuplicateRule {
                name: name.to_string(),
            });
        }
        if rule.uses_new_template && self.miner.is_none() {
            self.miner = Some(TemplateMiner::new());
        }
        let windows = collect_windows(&rule.expr);
        self.rules.push(Entry {
            name: name.to_string(),
            windows: windows.into_iter().map(WindowState::new).collect(),
            rule,
            errors: 0,
            last_error: None,
        });
        Ok(())
    }

    /// Removes the rule `name`; whether it existed.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|e| e.name != name);
        before != self.rules.len()
    }

    /// The rules' names and texts, in the order they were added.
    pub fn list(&self) -> Vec<(&str, &str)> {
        self.rules
            .iter()
            .map(|e| (e.name.as_str(), e.rule.source()))
            .collect()
    }

    /// How often rule `name` failed, and the last failure.
    pub fn failures(&self, name: &str) -> Option<(u64, Option<&str>)> {
        self.rules
            .iter()
            .find(|e| e.name == name)
            .map(|e| (e.errors, e.last_error.as_deref()))
    }

    /// Entries held by all windows together: at most about a thousand per window, however
    /// many records match (matches closer than 1/1000 of the window share an entry).
    pub fn window_entries(&self) -> usize {
        self.rules
            .iter()
            .flat_map(|e| &e.windows)
            .map(|w| w.runs.len())
            .sum()
    }

    /// Evaluates every rule on `record` (in record time) and returns the matches and
    /// failures, in rule order.
    pub fn evaluate(&mut self, record: &Record) -> Vec<Evaluation> {
        let new_template = match &mut self.miner {
            Some(m) => m.add(&record.message).change == Change::Created,
            None => false,
        };
        let ctx = Ctx {
            r: record,
            ts: record.timestamp.as_nanos(),
            new_template,
        };
        let mut out = Vec::new();
        for e in &mut self.rules {
            for w in &mut e.windows {
                w.advance(ctx.ts);
            }
            let res = observe(&e.rule.expr, &ctx, &mut e.windows)
                .and_then(|()| eval(&e.rule.expr, &ctx, &e.windows));
            match res {
                Ok(true) => out.push(Evaluation::Matched(e.name.clone())),
                Ok(false) => {}
                Err(err) => {
                    e.errors += 1;
                    e.last_error = Some(err.message.clone());
                    out.push(Evaluation::Failed(e.name.clone(), err));
                }
            }
        }
        out
    }
}

fn collect_windows(e: &Expr) -> Vec<i64> {
    let mut v = Vec::new();
    fn walk(e: &Expr, v: &mut Vec<(usize, i64)>) {
        match e {
            Expr::Or(a, b) | Expr::And(a, b) => {
                walk(a, v);
                walk(b, v);
            }
            Expr::Not(a) => walk(a, v),
            Expr::Window {
                inner,
                window_ns,
                slot,
                ..
            } => {
                v.push((*slot, *window_ns));
                walk(inner, v);
            }
            _ => {}
        }
    }
    let mut slots = Vec::new();
    walk(e, &mut slots);
    slots.sort_unstable();
    v.extend(slots.into_iter().map(|(_, w)| w));
    v
}

struct Ctx<'a> {
    r: &'a Record,
    ts: i64,
    new_template: bool,
}

/// Counts the record in every window whose inner expression it matches.
fn observe(e: &Expr, ctx: &Ctx<'_>, windows: &mut [WindowState]) -> Result<(), EvalError> {
    match e {
        Expr::Or(a, b) | Expr::And(a, b) => {
            observe(a, ctx, windows)?;
            observe(b, ctx, windows)
        }
        Expr::Not(a) => observe(a, ctx, windows),
        Expr::Window { inner, slot, .. } => {
            if eval(inner, ctx, windows)? {
                windows[*slot].add(ctx.ts);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn eval(e: &Expr, ctx: &Ctx<'_>, windows: &[WindowState]) -> Result<bool, EvalError> {
    Ok(match e {
        Expr::Or(a, b) => eval(a, ctx, windows)? || eval(b, ctx, windows)?,
        Expr::And(a, b) => eval(a, ctx, windows)? && eval(b, ctx, windows)?,
        Expr::Not(a) => !eval(a, ctx, windows)?,
        Expr::NewTemplate => ctx.new_template,
        Expr::Truthy(o) => match value(o, ctx.r) {
            Val::Missing => false,
            Val::Str(s) => !s.is_empty(),
            Val::Num(n) => n != 0.0,
            Val::Bool(b) => b,
            Val::Level(_) | Val::Dur(_) => true,
        },
        Expr::Text(o, op, needle) => match text(o, ctx.r) {
            None => false,
            Some(s) => match op {
                TextOp::Contains => s.contains(needle.as_str()),
                TextOp::StartsWith => s.starts_with(needle.as_str()),
                TextOp::EndsWith => s.ends_with(needle.as_str()),
            },
        },
        Expr::Regex(o, re, negate) => match text(o, ctx.r) {
            None => false,
            Some(s) => re.is_match(&s) != *negate,
        },
        Expr::Cmp(l, op, r) => compare(l, *op, r, ctx.r)?,
        Expr::Window {
            func,
            op,
            threshold,
            window_ns,
            slot,
            ..
        } => {
            let n = windows[*slot].total as f64;
            let v = match func {
                WindowFn::Count => n,
                WindowFn::Rate => n / (*window_ns as f64 / 1e9),
            };
            op.holds(v.total_cmp(threshold))
        }
    })
}

enum Val<'a> {
    Missing,
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Level(Level),
    /// Seconds.
    Dur(f64),
}

fn from_value(v: &Value) -> Val<'_> {
    match v {
        Value::Null => Val::Missing,
        Value::Bool(b) => Val::Bool(*b),
        Value::I64(i) => Val::Num(*i as f64),
        Value::U64(u) => Val::Num(*u as f64),
        Value::F64(f) => Val::Num(*f),
        Value::Str(s) => Val::Str(Cow::Borrowed(s)),
        Value::Bytes(b) => Val::Str(String::from_utf8_lossy(b)),
    }
}

fn opt_str<T: AsRef<str> + ?Sized>(s: Option<&T>) -> Val<'_> {
    s.map_or(Val::Missing, |s| Val::Str(Cow::Borrowed(s.as_ref())))
}

fn value<'a>(o: &'a Operand, r: &'a Record) -> Val<'a> {
    let ctx = r.context.as_deref();
    match o {
        Operand::Str(s) => Val::Str(Cow::Borrowed(s)),
        Operand::Num(n) => Val::Num(*n),
        Operand::Bool(b) => Val::Bool(*b),
        Operand::Level(l) => Val::Level(*l),
        Operand::Dur(ns) => Val::Dur(*ns as f64 / 1e9),
        Operand::Field(f) => match f {
            Field::Level => Val::Level(r.level),
            Field::Component => Val::Str(Cow::Borrowed(r.component.as_str())),
            Field::Message => Val::Str(Cow::Borrowed(&r.message)),
            Field::CorrelationId => opt_str(r.correlation_id.as_deref()),
            Field::Thread => opt_str(r.thread.name.as_deref()),
            Field::Error => opt_str(r.error.as_deref()),
            Field::File => opt_str(r.file.as_deref()),
            Field::Line => r.line.map_or(Val::Missing, |l| Val::Num(l as f64)),
            Field::Pid => Val::Num(r.pid as f64),
            Field::User => ctx
                .and_then(|c| c.user.as_deref())
                .map_or_else(|| named(r, "user"), |s| Val::Str(Cow::Borrowed(s))),
            Field::Session => ctx
                .and_then(|c| c.session.as_deref())
                .map_or_else(|| named(r, "session"), |s| Val::Str(Cow::Borrowed(s))),
            Field::Host => ctx
                .and_then(|c| c.host.as_deref())
                .map_or_else(|| named(r, "host"), |s| Val::Str(Cow::Borrowed(s))),
            Field::Operation => ctx
                .and_then(|c| c.operation.as_ref().map(|(n, _)| n.as_str()))
                .map_or_else(|| named(r, "operation"), |s| Val::Str(Cow::Borrowed(s))),
            Field::Named(n) => named(r, n),
        },
    }
}

fn named<'a>(r: &'a Record, name: &str) -> Val<'a> {
    r.field(name).map_or(Val::Missing, from_value)
}

/// A field's value as a duration in seconds.
fn duration_secs(o: &Operand, r: &Record) -> Result<Option<f64>, EvalError> {
    let Operand::Field(f) = o else {
        return Ok(None);
    };
    let key = match f {
        Field::Named(n) => n.as_str(),
        _ => "",
    };
    Ok(match value(o, r) {
        Val::Missing => None,
        Val::Num(n) => Some(if key.ends_with("_ms") {
            n / 1e3
        } else if key.ends_with("_us") {
            n / 1e6
        } else if key.ends_with("_ns") {
            n / 1e9
        } else {
            n
        }),
        Val::Str(s) => Some(secs_of(&s).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::NotADuration,
                format!("{} is {s:?}, not a duration", name_of(o)),
            )
        })?),
        _ => {
            return Err(EvalError::new(
                EvalErrorKind::NotADuration,
                format!("{} is not a duration", name_of(o)),
            ))
        }
    })
}

fn name_of(o: &Operand) -> String {
    match o {
        Operand::Field(Field::Named(n)) => format!("{{fields.{n}}}"),
        Operand::Field(f) => format!("{{{}}}", format!("{f:?}").to_lowercase()),
        _ => "a value".into(),
    }
}

fn text<'a>(o: &'a Operand, r: &'a Record) -> Option<Cow<'a, str>> {
    match value(o, r) {
        Val::Missing => None,
        Val::Str(s) => Some(s),
        Val::Num(n) => Some(Cow::Owned(n.to_string())),
        Val::Bool(b) => Some(Cow::Owned(b.to_string())),
        Val::Level(l) => Some(Cow::Borrowed(l.as_str())),
        Val::Dur(d) => Some(Cow::Owned(format!("{d}s"))),
    }
}

fn compare(l: &Operand, op: CmpOp, r: &Operand, rec: &Record) -> Result<bool, EvalError> {
    // Durations: convert the field side.
    if let (Operand::Dur(ns), f) | (f, Operand::Dur(ns)) = (l, r) {
        let lit = *ns as f64 / 1e9;
        let Some(secs) = duration_secs(f, rec)? else {
            return Ok(false);
        };
        let ord = if matches!(l, Operand::Dur(_)) {
            lit.total_cmp(&secs)
        } else {
            secs.total_cmp(&lit)
        };
        return Ok(op.holds(ord));
    }
    let (a, b) = (value(l, rec), value(r, rec));
    let ord: Ordering = match (&a, &b) {
        (Val::Missing, _) | (_, Val::Missing) => return Ok(false),
        (Val::Level(x), Val::Level(y)) => x.cmp(y),
        (Val::Num(x), Val::Num(y)) => x.total_cmp(y),
        (Val::Num(x), Val::Str(s)) => x.total_cmp(&number(s, r)?),
        (Val::Str(s), Val::Num(y)) => number(s, l)?.total_cmp(y),
        (Val::Str(x), Val::Str(y)) => x.cmp(y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Level(x), Val::Str(s)) | (Val::Str(s), Val::Level(x)) => {
            let y: Level = s.parse().map_err(|_| {
                EvalError::new(EvalErrorKind::NotALevel, format!("{s:?} is not a level"))
            })?;
            if matches!(a, Val::Level(_)) {
                x.cmp(&y)
            } else {
                y.cmp(x)
            }
        }
        _ => {
            return Err(EvalError::new(
                EvalErrorKind::Incomparable,
                format!("cannot compare {} with {}", name_of(l), name_of(r)),
            ))
        }
    };
    Ok(op.holds(ord))
}

fn number(s: &str, o: &Operand) -> Result<f64, EvalError> {
    s.trim().parse().map_err(|_| {
        EvalError::new(
            EvalErrorKind::NotANumber,
            format!("{} is {s:?}, not a number", name_of(o)),
        )
    })
}
