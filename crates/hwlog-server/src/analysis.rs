//! Analysis and alerts over HTTP: error patterns, trends, anomalies and templates of a time
//! window of the store; alert rules (list, create, delete, validate), firing alerts and
//! their history, acknowledgement and resolution. The rules run on the ingest stream (see
//! the writer in `state.rs`).
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hwlog_analysis::alerts::AlertRule;
use hwlog_analysis::anomaly::{detect_anomalies, AnomalyConfig};
use hwlog_analysis::errors::analyze_error_patterns;
use hwlog_analysis::miner::TemplateMiner;
use hwlog_analysis::rules::Rule;
use hwlog_analysis::trends::{performance_trends, TrendConfig};
use hwlog_analysis::window::Window;
use hwlog_core::{Record, Timestamp};
use hwlog_store::{Query as StoreQuery, MAX_LIMIT};
use serde_json::{json, Value};

use crate::state::AppState;

/// Records analysed at most per request (the newest in the window).
const MAX_RECORDS: usize = 200_000;

/// The analysis and alert routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/analysis/errors", get(errors))
        .route("/api/v1/analysis/trends", get(trends))
        .route("/api/v1/analysis/anomalies", get(anomalies))
        .route("/api/v1/analysis/patterns", get(patterns))
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/alerts/{id}/ack", post(ack))
        .route("/api/v1/alerts/{id}/resolve", post(resolve))
        .route("/api/v1/alerts/rules", get(list_rules).post(create_rule))
        .route("/api/v1/alerts/rules/validate", post(validate))
        .route(
            "/api/v1/alerts/rules/{name}",
            axum::routing::delete(delete_rule),
        )
}

fn bad(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({"error": msg.into()}))).into_response()
}

/// A failed request: its status and message.
type Failure = (StatusCode, String);

fn fail(f: Failure) -> Response {
    bad(f.0, f.1)
}

fn hours(p: &HashMap<String, String>) -> Result<f64, Failure> {
    match p.get("hours") {
        None => Ok(24.0),
        Some(h) => h
            .parse::<f64>()
            .ok()
            .filter(|h| *h > 0.0 && *h <= 24.0 * 366.0 * 10.0)
            .ok_or((
                StatusCode::BAD_REQUEST,
                "hours must be a positive number".into(),
            )),
    }
}

/// The window's records, oldest first (at most [`MAX_RECORDS`], the newest).
async fn window_records(s: &Arc<AppState>, w: Window) -> Result<Vec<Record>, Failure> {
    let store = s.store.clone();
    let res = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.query(&StoreQuery {
                since: Some(w.start),
                until: Some(w.end),
                limit: MAX_LIMIT,
                cursor,
                ..StoreQuery::default()
            })?;
            out.extend(page.records.into_iter().map(|r| r.record));
            match page.next_cursor {
                Some(c) if out.len() < MAX_RECORDS => cursor = Some(c),
                _ => break,
            }
        }
        out.reverse();
        Ok::<_, hwlog_store::Error>(out)
    })
    .await;
    match res {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err((StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
        Err(e) => Err((StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

fn last_hours(h: f64) -> Window {
    Window::last_hours(Timestamp::now().as_nanos() + 1, h)
}

/// The records of the last `hours` (from the query), handed to `f` with their window.
async fn over_window(
    s: &Arc<AppState>,
    p: &HashMap<String, String>,
    f: impl FnOnce(Vec<Record>, Window) -> Value,
) -> Response {
    let w = match hours(p) {
        Ok(h) => last_hours(h),
        Err(e) => return fail(e),
    };
    match window_records(s, w).await {
        Ok(recs) => Json(f(recs, w)).into_response(),
        Err(e) => fail(e),
    }
}

fn to_json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

async fn errors(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    over_window(&s, &p, |recs, w| {
        to_json(analyze_error_patterns(&recs, w, &mut TemplateMiner::new()))
    })
    .await
}

async fn trends(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let comp = p.get("component").filter(|c| !c.is_empty()).cloned();
    over_window(&s, &p, |recs, w| {
        to_json(performance_trends(
            &recs,
            comp.as_deref(),
            w,
            &TrendConfig::default(),
        ))
    })
    .await
}

async fn anomalies(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let bucket = match crate::http::bucket_secs(&p, 300) {
        Ok(b) => b,
        Err(e) => return bad(StatusCode::BAD_REQUEST, e),
    };
    let cfg = AnomalyConfig {
        bucket_secs: bucket,
        ..AnomalyConfig::default()
    };
    over_window(&s, &p, |recs, w| {
        to_json(detect_anomalies(&recs, w, &mut TemplateMiner::new(), &cfg))
    })
    .await
}

async fn patterns(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let limit = p
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20);
    over_window(&s, &p, |recs, _| {
        let mut m = TemplateMiner::new();
        for r in &recs {
            m.add(&r.message);
        }
        let total = recs.len().max(1) as f64;
        let top: Vec<Value> = m
            .templates()
            .iter()
            .take(limit)
            .map(|t| json!({"id": t.id(), "template": t.text(), "count": t.count(), "share": t.count() as f64 / total}))
            .collect();
        json!({"records": recs.len(), "templates": m.len(), "top": top})
    })
    .await
}

async fn alerts(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let limit = p
        .get("history")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100);
    let leader = s.leader.load(Ordering::Relaxed);
    let local = serde_json::to_value(s.alerts().active()).unwrap_or_default();
    let store = s.store.clone();
    // A server that does not lead shows the leader's active alerts, kept in the store.
    let read_active = !leader && s.shared.load(Ordering::Relaxed);
    let history = tokio::task::spawn_blocking(move || {
        let active = match read_active {
            true => store.cursor(crate::state::ACTIVE_ALERTS)?,
            false => None,
        };
        Ok::<_, hwlog_store::Error>((active, store.alert_history(None, limit)?))
    })
    .await;
    let (active, history) = match history {
        Ok(Ok((Some(text), h))) => (serde_json::from_str(&text).unwrap_or(local), Ok(Ok(h))),
        Ok(Ok((None, h))) => (local, Ok(Ok(h))),
        Ok(Err(e)) => (local, Ok(Err(e))),
        Err(e) => (local, Err(e)),
    };
    let history: Vec<Value> = match history {
        Ok(Ok(h)) => h
            .into_iter()
            .map(|h| json!({"at": h.timestamp.to_rfc3339_micros(), "alert_id": h.alert_id, "rule": h.rule, "event": h.event, "detail": h.detail}))
            .collect(),
        Ok(Err(e)) => return bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => return bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    Json(
        json!({"active": active, "history": history, "notifications": s.recent_notifications(),
                "leader": leader}),
    )
    .into_response()
}

/// With a shared store, a server that does not lead forwards `command` to the one that does
/// (it runs the alerts): `Some(202 response)`; `None` when this server handles it.
async fn forward(s: &Arc<AppState>, id: u64, command: String) -> Option<Response> {
    if s.leader.load(Ordering::Relaxed) || !s.shared.load(Ordering::Relaxed) {
        return None;
    }
    let store = s.store.clone();
    Some(
        match tokio::task::spawn_blocking(move || store.broadcast(&command)).await {
            Ok(Ok(_)) => (
                StatusCode::ACCEPTED,
                Json(json!({"forwarded": id, "to": "the leading server"})),
            )
                .into_response(),
            Ok(Err(e)) => bad(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
            Err(e) => bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        },
    )
}

async fn ack(
    State(s): State<Arc<AppState>>,
    Path(id): Path<u64>,
    body: Option<Json<Value>>,
) -> Response {
    let by = body
        .as_ref()
        .and_then(|b| b.get("by").and_then(|v| v.as_str()))
        .unwrap_or("api")
        .to_string();
    if let Some(r) = forward(&s, id, format!("ack {id} {by}")).await {
        return r;
    }
    let res = s.alerts().acknowledge(id, &by, Timestamp::now().as_nanos());
    save_history(&s).await;
    match res {
        Ok(()) => Json(json!({"acknowledged": id, "by": by})).into_response(),
        Err(e) => bad(StatusCode::NOT_FOUND, e.to_string()),
    }
}

async fn resolve(State(s): State<Arc<AppState>>, Path(id): Path<u64>) -> Response {
    if let Some(r) = forward(&s, id, format!("resolve {id}")).await {
        return r;
    }
    let res = s.alerts().resolve(id, Timestamp::now().as_nanos());
    match res {
        Ok(n) => {
            s.notified(n);
            save_history(&s).await;
            Json(json!({"resolved": id})).into_response()
        }
        Err(e) => bad(StatusCode::NOT_FOUND, e.to_string()),
    }
}

/// Writes the alert history off the async workers (SQLite blocks).
async fn save_history(s: &Arc<AppState>) {
    let s = s.clone();
    let _ = tokio::task::spawn_blocking(move || s.save_alert_events()).await;
}

async fn list_rules(State(s): State<Arc<AppState>>) -> Response {
    let rules: Vec<AlertRule> = s.alerts().rules().into_iter().cloned().collect();
    Json(json!({"rules": rules})).into_response()
}

/// The body is an alert rule as JSON (`name`, `condition`, `severity`, durations in
/// nanoseconds: `suppression`, `escalation`, `group_wait`, …); missing settings take their
/// defaults. The rule is saved in the store: it survives restarts and runs on every server
/// sharing the database.
async fn create_rule(
    State(s): State<Arc<AppState>>,
    body: Result<Json<AlertRule>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(rule) = match body {
        Ok(b) => b,
        Err(e) => return bad(StatusCode::BAD_REQUEST, e.body_text()),
    };
    let name = rule.name.clone();
    let res = tokio::task::spawn_blocking(move || {
        let mut saved = s.saved_rules();
        let definition = serde_json::to_string(&rule).unwrap_or_default();
        s.alerts().add_rule(rule).map_err(RuleError::Invalid)?;
        if let Err(e) = s.store.save_rule(&name, &definition) {
            let _ = s.alerts().remove_rule(&name);
            return Err(RuleError::Store(e));
        }
        saved.insert(name.clone());
        Ok(name)
    })
    .await;
    match res {
        Ok(Ok(name)) => (StatusCode::CREATED, Json(json!({"created": name}))).into_response(),
        Ok(Err(RuleError::Invalid(hwlog_analysis::alerts::AlertError::Rule { error, .. }))) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": error.to_string(), "column": error.column})),
        )
            .into_response(),
        Ok(Err(RuleError::Invalid(e))) => bad(StatusCode::BAD_REQUEST, e.to_string()),
        Ok(Err(RuleError::Store(e))) => bad(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot save the rule: {e}"),
        ),
        Err(e) => bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

enum RuleError {
    Invalid(hwlog_analysis::alerts::AlertError),
    Store(hwlog_store::Error),
}

/// Deletes a rule from this server and, when it was saved, from the store.
async fn delete_rule(State(s): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    let res = tokio::task::spawn_blocking(move || {
        let mut saved = s.saved_rules();
        let in_store = s.store.delete_rule(&name)?;
        saved.remove(&name);
        let running = s.alerts().remove_rule(&name);
        Ok::<_, hwlog_store::Error>((name, in_store || running.is_ok(), running))
    })
    .await;
    match res {
        Ok(Ok((name, true, _))) => Json(json!({"deleted": name})).into_response(),
        Ok(Ok((_, false, running))) => bad(
            StatusCode::NOT_FOUND,
            running.err().map(|e| e.to_string()).unwrap_or_default(),
        ),
        Ok(Err(e)) => bad(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot delete the rule: {e}"),
        ),
        Err(e) => bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn validate(body: Result<Json<Value>, axum::extract::rejection::JsonRejection>) -> Response {
    let Ok(Json(v)) = body else {
        return bad(StatusCode::BAD_REQUEST, "expected {\"condition\": \"...\"}");
    };
    let Some(cond) = v.get("condition").and_then(|c| c.as_str()) else {
        return bad(StatusCode::BAD_REQUEST, "expected {\"condition\": \"...\"}");
    };
    match Rule::parse(cond) {
        Ok(r) => Json(json!({"valid": true, "windowed": r.is_windowed()})).into_response(),
        Err(e) => Json(json!({"valid": false, "column": e.column, "error": e.message, "pointer": e.render(cond)})).into_response(),
    }
}
