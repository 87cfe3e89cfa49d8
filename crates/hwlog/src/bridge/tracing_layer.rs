use std::cell::RefCell;
use std::fmt;

use hwlog_core::{context, Level, Record, SharedStr, Value};
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record as SpanValues};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::dispatch;

/// A `tracing` layer that sends events through the hwlog pipeline.
///
/// - level: `TRACE…ERROR` map to hwlog's levels; an event with `critical = true` is CRITICAL;
/// - component: the event's target with `::` → `.`;
/// - `message` → message; `correlation_id` → correlation id; an `error` recorded as
///   `&dyn Error` → error chain; every other field → a typed field;
/// - a span with a `correlation_id` field sets the correlation id while it is entered, so
///   `current_correlation_id()` and hwlog loggers see it too.
#[derive(Debug, Default, Clone, Copy)]
pub struct HwlogLayer;

/// The layer, for composing with your own `tracing` subscriber.
pub fn layer() -> HwlogLayer {
    HwlogLayer
}

impl HwlogLayer {
    /// A new layer.
    pub fn new() -> Self {
        HwlogLayer
    }
}

struct SpanCorrelation(SharedStr);

thread_local! {
    static ENTERED: RefCell<Vec<(Id, Option<SharedStr>)>> = const { RefCell::new(Vec::new()) };
}

#[derive(Default)]
struct CorrelationVisitor(Option<SharedStr>);

impl Visit for CorrelationVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "correlation_id" {
            self.0 = Some(value.to_string().into());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "correlation_id" {
            self.0 = Some(format!("{value:?}").trim_matches('"').to_string().into());
        }
    }
}

struct EventVisitor<'a>(&'a mut Record);

impl Visit for EventVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.0.message = value.to_string().into(),
            "correlation_id" => self.0.correlation_id = Some(value.to_string().into()),
            n if n.starts_with("log.") => {}
            n => self.0.push_field(n, value.to_string()),
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.push_field(field.name(), value);
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.push_field(field.name(), value);
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.push_field(field.name(), value);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "critical" && value {
            self.0.level = Level::Critical;
        } else {
            self.0.push_field(field.name(), value);
        }
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if field.name() == "error" && self.0.error.is_none() {
            self.0.set_error(value);
        } else {
            self.0.push_field(field.name(), value.to_string());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.0.message = format!("{value:?}").into(),
            "correlation_id" => {
                self.0.correlation_id =
                    Some(format!("{value:?}").trim_matches('"').to_string().into())
            }
            n if n.starts_with("log.") => {}
            n => self
                .0
                .fields
                .push((n.into(), Value::from(format!("{value:?}")))),
        }
    }
}

impl<S> Layer<S> for HwlogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut v = CorrelationVisitor::default();
        attrs.record(&mut v);
        if let (Some(c), Some(span)) = (v.0, ctx.span(id)) {
            span.extensions_mut().insert(SpanCorrelation(c));
        }
    }

    fn on_record(&self, id: &Id, values: &SpanValues<'_>, ctx: Context<'_, S>) {
        let mut v = CorrelationVisitor::default();
        values.record(&mut v);
        if let (Some(c), Some(span)) = (v.0, ctx.span(id)) {
            span.extensions_mut().replace(SpanCorrelation(c));
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let ext = span.extensions();
        if let Some(c) = ext.get::<SpanCorrelation>() {
            let prev = context::replace_correlation(Some(c.0.clone()));
            let _ = ENTERED.try_with(|e| e.borrow_mut().push((id.clone(), prev)));
        }
    }

    fn on_exit(&self, id: &Id, _ctx: Context<'_, S>) {
        let _ = ENTERED.try_with(|e| {
            let mut e = e.borrow_mut();
            if let Some(pos) = e.iter().rposition(|(i, _)| i == id) {
                let (_, prev) = e.remove(pos);
                context::replace_correlation(prev);
            }
        });
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let level = super::from_tracing_level(meta.level());
        if !dispatch::enabled(level) && level != Level::Error {
            return;
        }
        let mut rec = Record::new(level, super::component_of(meta.target()), "");
        if let (Some(f), Some(l)) = (meta.file(), meta.line()) {
            rec.file = Some(f.into());
            rec.line = Some(l);
        }
        event.record(&mut EventVisitor(&mut rec));
        if dispatch::enabled(rec.level) {
            dispatch::dispatch(rec);
        }
    }

    fn max_level_hint(&self) -> Option<tracing_core::LevelFilter> {
        use tracing_core::LevelFilter;
        Some(match dispatch::min_level() {
            None => LevelFilter::OFF,
            Some(Level::Trace) => LevelFilter::TRACE,
            Some(Level::Debug) => LevelFilter::DEBUG,
            Some(Level::Info) => LevelFilter::INFO,
            Some(Level::Warning) => LevelFilter::WARN,
            Some(Level::Error) | Some(Level::Critical) => LevelFilter::ERROR,
        })
    }
}
