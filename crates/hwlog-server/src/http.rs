//! The HTTP API: ingest, query, health, metrics, and the dashboard's files.
use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hwlog_core::{Level, Timestamp};
use hwlog_store::{Query as StoreQuery, MAX_LIMIT};
use serde_json::{json, Value};

use crate::json::{record_to_json, records_body};
use crate::state::AppState;

/// The router of all endpoints.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.limits.max_body;
    let ingest_routes = Router::new()
        .route("/api/v1/logs", axum::routing::post(ingest))
        .route("/v1/logs", axum::routing::post(otlp))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ingest_slot,
        ));
    Router::new()
        .route(
            "/",
            get(|| async { Html(include_str!("../static/index.html")) }),
        )
        .route(
            "/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("../static/app.js"),
                )
            }),
        )
        .route(
            "/style.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    include_str!("../static/style.css"),
                )
            }),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/v1/logs", get(query))
        .merge(ingest_routes)
        .route("/api/v1/logs/{id}", get(one))
        .route("/api/v1/correlation/{id}", get(correlation))
        .route("/api/v1/stats/volume", get(volume))
        .route("/api/v1/stream", get(crate::stream::handler))
        .merge(crate::analysis::routes())
        // The body limit is checked while reading (413); gzip bodies are limited again after
        // decompression.
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({"error": msg.into()}))).into_response()
}

/// 507 when the store is full, 503 otherwise.
fn store_error(f: crate::state::StoreFailure) -> Response {
    if f.busy {
        return busy(&f.message);
    }
    let status = if f.full {
        StatusCode::INSUFFICIENT_STORAGE
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    error(status, f.message)
}

async fn healthz(State(s): State<Arc<AppState>>) -> Response {
    let store = s.store.clone();
    match tokio::task::spawn_blocking(move || store.count()).await {
        Ok(Ok(n)) => {
            let failing = s
                .write_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let body = json!({"status": if failing.is_some() { "degraded" } else { "ok" },
                "records": n, "uptime_s": s.started.elapsed().as_secs(),
                "leader": s.leader.load(Ordering::Relaxed), "write_error": failing});
            let status = if failing.is_some() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            (status, Json(body)).into_response()
        }
        Ok(Err(e)) => error(StatusCode::SERVICE_UNAVAILABLE, format!("store: {e}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn metrics(State(s): State<Arc<AppState>>) -> impl IntoResponse {
    let c = &s.counters;
    let g = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, lines: Vec<(String, u64)>| {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
        for (labels, v) in lines {
            out.push_str(&format!("{name}{labels} {v}\n"));
        }
    };
    metric(
        "hwlog_ingested_records_total",
        "counter",
        "Records committed to the store.",
        vec![(String::new(), g(&c.ingested))],
    );
    metric(
        "hwlog_rejected_records_total",
        "counter",
        "Records refused as invalid.",
        vec![(String::new(), g(&c.rejected))],
    );
    metric(
        "hwlog_truncated_records_total",
        "counter",
        "Records stored with their message or a field value cut to the limits.",
        vec![(String::new(), g(&c.truncated))],
    );
    metric(
        "hwlog_busy_responses_total",
        "counter",
        "Ingest requests answered 503 (writer queue full or too many at once).",
        vec![(String::new(), g(&c.busy))],
    );
    metric(
        "hwlog_lost_records_total",
        "counter",
        "Records received on a path without replies (syslog, demo) and then not stored.",
        crate::state::LOST_PATHS
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("{{path=\"{p}\"}}"), g(&c.lost[i])))
            .collect(),
    );
    metric(
        "hwlog_write_failing",
        "gauge",
        "1 while the last commit failed.",
        vec![(
            String::new(),
            u64::from(
                s.write_error
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .is_some(),
            ),
        )],
    );
    metric(
        "hwlog_store_commits_total",
        "counter",
        "Store transactions.",
        vec![(String::new(), g(&c.commits))],
    );
    metric(
        "hwlog_store_commit_errors_total",
        "counter",
        "Failed store transactions.",
        vec![(String::new(), g(&c.commit_errors))],
    );
    metric(
        "hwlog_store_commit_microseconds_total",
        "counter",
        "Time spent committing.",
        vec![(String::new(), g(&c.commit_us))],
    );
    metric(
        "hwlog_stream_dropped_total",
        "counter",
        "Records live clients missed by being slow.",
        vec![(String::new(), g(&c.stream_dropped))],
    );
    metric(
        "hwlog_retention_deleted_records_total",
        "counter",
        "Records deleted by retention.",
        vec![(String::new(), g(&c.retention_deleted))],
    );
    metric(
        "hwlog_peer_records_total",
        "counter",
        "Records committed by other servers on the shared store, taken live.",
        vec![(String::new(), g(&c.peer_records))],
    );
    metric(
        "hwlog_peer_feed_errors_total",
        "counter",
        "Interruptions of the feed from other servers (records may have been missed live).",
        vec![(String::new(), g(&c.peer_errors))],
    );
    metric(
        "hwlog_leader",
        "gauge",
        "1 while this server runs alert notifications and retention.",
        vec![(String::new(), u64::from(s.leader.load(Ordering::Relaxed)))],
    );
    metric(
        "hwlog_stream_clients",
        "gauge",
        "Live clients connected.",
        vec![(String::new(), g(&c.stream_clients))],
    );
    let levels = Level::ALL
        .iter()
        .map(|l| {
            (
                format!("{{level=\"{}\"}}", l.as_str()),
                g(&c.per_level[*l as usize]),
            )
        })
        .collect();
    metric(
        "hwlog_records_by_level_total",
        "counter",
        "Committed records per level.",
        levels,
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}

/// The body, gunzipped when it says so: every gzip member is read, bytes after the last
/// one are refused, and the output is limited to `max_body` while it is produced.
fn plain_body(s: &AppState, headers: &HeaderMap, body: Bytes) -> Result<Vec<u8>, Box<Response>> {
    let gzip = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match gzip.as_deref() {
        None | Some("" | "identity") => return Ok(body.to_vec()),
        Some("gzip" | "x-gzip") => {}
        Some(other) => {
            return Err(Box::new(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("content-encoding {other:?} is not supported (gzip is)"),
            )))
        }
    }
    gunzip(&body, s.limits.max_body).map_err(|(status, msg)| Box::new(error(status, msg)))
}

/// Decompresses all members of a gzip stream into at most `max` bytes.
pub(crate) fn gunzip(body: &[u8], max: usize) -> Result<Vec<u8>, (StatusCode, String)> {
    let mut out = Vec::new();
    let mut dec = flate2::bufread::MultiGzDecoder::new(body).take(max as u64 + 1);
    if let Err(e) = dec.read_to_end(&mut out) {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("invalid gzip body (or bytes after its last member): {e}"),
        ));
    }
    if out.len() > max {
        return Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body over {max} bytes after decompression (max_body_mb)"),
        ));
    }
    Ok(out)
}

/// Takes one of the ingest slots for the request before its body is read, waiting up to
/// `ingest_wait` (then 503 with `Retry-After`).
pub(crate) async fn ingest_slot(
    State(s): State<Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let slot = tokio::time::timeout(s.limits.ingest_wait, s.ingest_slots.clone().acquire_owned());
    match slot.await {
        Ok(Ok(permit)) => {
            let r = next.run(req).await;
            drop(permit);
            r
        }
        _ => {
            s.counters.busy.fetch_add(1, Ordering::Relaxed);
            busy("too many ingest requests at once; retry shortly")
        }
    }
}

fn busy(msg: &str) -> Response {
    let mut r = error(StatusCode::SERVICE_UNAVAILABLE, msg);
    r.headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    r
}

/// `POST /v1/logs`: OTLP/HTTP, protobuf or JSON (`content-type: application/json`).
/// Answers after commit: an empty `ExportLogsServiceResponse`, or one with
/// `partial_success` (how many records were refused and why) when some were.
async fn otlp(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match plain_body(&s, &headers, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let window = s.window();
    let decoded = if json {
        crate::otlp::decode_json(&body, &s.limits, &window)
    } else {
        crate::otlp::decode_protobuf(&body, &s.limits, &window)
    };
    let d = match decoded {
        Ok(d) => d,
        Err(e) => {
            s.counters.rejected.fetch_add(1, Ordering::Relaxed);
            let status = if e.kind() == hwlog_decode::DecodeErrorKind::TooMany {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            return error(status, e.to_string());
        }
    };
    account(&s, &d);
    let partial = (d.rejected > 0).then(|| {
        let msg = d
            .errors
            .iter()
            .map(|(i, e)| format!("record {i}: {e}"))
            .collect::<Vec<_>>()
            .join("; ");
        (d.rejected as i64, msg)
    });
    match s.store(d.records).await {
        Ok(_) if json => {
            let body = match &partial {
                Some((n, m)) => {
                    json!({"partialSuccess": {"rejectedLogRecords": n.to_string(), "errorMessage": m}})
                }
                None => json!({}),
            };
            (
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        Ok(_) => (
            [(header::CONTENT_TYPE, "application/x-protobuf")],
            crate::otlp::encode_response(partial),
        )
            .into_response(),
        Err(e) => store_error(e),
    }
}

/// Counts what a decoded request refused and cut.
fn account(s: &AppState, d: &crate::json::Decoded) {
    s.counters
        .rejected
        .fetch_add(d.rejected as u64, Ordering::Relaxed);
    s.counters
        .truncated
        .fetch_add(d.truncated as u64, Ordering::Relaxed);
}

/// `POST /api/v1/logs`: a JSON array or NDJSON (optionally gzip), or one form-encoded
/// record. Answers after commit with `{"accepted", "rejected": [first errors], "rejected_count",
/// "truncated"}`.
async fn ingest(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match plain_body(&s, &headers, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let window = s.window();
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let d = if form {
        // One record, as Python's HTTPHandler sends it.
        let mut d = crate::json::Decoded::default();
        d.push(0, crate::json::record_from_form(&body, &window), &s.limits);
        d
    } else {
        match crate::json::decode_records(&body, &s.limits, &window) {
            Ok(d) => d,
            Err(crate::json::BodyError::TooMany(e)) => {
                return error(StatusCode::PAYLOAD_TOO_LARGE, e)
            }
            Err(crate::json::BodyError::Invalid(e)) => return error(StatusCode::BAD_REQUEST, e),
        }
    };
    account(&s, &d);
    let rejected: Vec<Value> = d
        .errors
        .iter()
        .map(|(i, e)| json!({"index": i, "error": e}))
        .collect();
    let (n_rejected, truncated) = (d.rejected, d.truncated);
    match s.store(d.records).await {
        Ok(n) => {
            let status = if n == 0 && n_rejected > 0 {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (
                status,
                Json(json!({"accepted": n, "rejected": rejected, "rejected_count": n_rejected, "truncated": truncated})),
            )
                .into_response()
        }
        Err(e) => store_error(e),
    }
}

/// RFC 3339, or relative to now: `-1h`, `-30m`, `-10s`, `-2d`, `-1h30m`, `now`.
fn parse_time(s: &str) -> Result<i64, String> {
    let now = Timestamp::now().as_nanos();
    if s == "now" {
        return Ok(now);
    }
    if let Some(rel) = s.strip_prefix('-') {
        // Any duration hwlog reads elsewhere (`-90s`, `-1h30m`, `-1d`), up to 100 years.
        let ago = hwlog_core::units::parse_duration(rel)
            .ok()
            .filter(|d| d.as_secs() <= 100 * 365 * 86_400)
            .ok_or_else(|| {
                format!("invalid time {s:?}: use -30s, -5m, -1h, -2d (any duration) or RFC 3339")
            })?;
        return Ok(now - ago.as_nanos() as i64);
    }
    if let Ok(n) = s.parse::<i64>() {
        // Seconds, milliseconds, … or nanoseconds since the epoch, as in record bodies.
        return hwlog_decode::limits::epoch_int_nanos(n)
            .ok_or_else(|| format!("invalid time {s:?}: out of range"));
    }
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
        .ok_or_else(|| format!("invalid time {s:?}: use RFC 3339, a number since the epoch or -1h"))
}

fn store_query(p: &HashMap<String, String>) -> Result<StoreQuery, String> {
    let level = |k: &str| -> Result<Option<Level>, String> {
        p.get(k)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<Level>().map_err(|_| format!("unknown {k} {v:?}")))
            .transpose()
    };
    let time = |k: &str| {
        p.get(k)
            .filter(|v| !v.is_empty())
            .map(|v| parse_time(v))
            .transpose()
    };
    let limit = match p.get("limit") {
        None => 100,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| format!("limit must be 1..={MAX_LIMIT}"))?,
    };
    Ok(StoreQuery {
        text: p.get("q").cloned().filter(|q| !q.trim().is_empty()),
        level: level("level")?,
        min_level: level("min_level")?,
        component: p.get("component").cloned().filter(|c| !c.is_empty()),
        correlation_id: p.get("correlation_id").cloned().filter(|c| !c.is_empty()),
        fields: field_filters(p)?,
        since: time("since")?,
        until: time("until")?,
        limit,
        cursor: p
            .get("cursor")
            .filter(|c| !c.is_empty())
            .map(|c| {
                c.parse::<i64>()
                    .map_err(|_| "cursor must be a record id".to_string())
            })
            .transpose()?,
    })
}

/// `field.<key>=<value>` parameters: records whose field `key` has this value (as text).
fn field_filters(p: &HashMap<String, String>) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = p
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("field.")?.to_string(), v.clone())))
        .collect();
    if out.iter().any(|(k, _)| k.is_empty()) {
        return Err("field.<key>: the key is empty".into());
    }
    if out.len() > hwlog_store::MAX_FIELD_FILTERS {
        return Err(format!(
            "{} field.<key> conditions; at most {}",
            out.len(),
            hwlog_store::MAX_FIELD_FILTERS
        ));
    }
    out.sort();
    Ok(out)
}

/// `GET /api/v1/logs`: newest first, one page.
async fn query(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let q = match store_query(&p) {
        Ok(q) => q,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let store = s.store.clone();
    match tokio::task::spawn_blocking(move || store.query(&q)).await {
        Ok(Ok(page)) => {
            let recs: Vec<String> = page
                .records
                .iter()
                .map(|r| record_to_json(Some(r.id), None, &r.record))
                .collect();
            json_text(records_body(&recs, Some(page.next_cursor)))
        }
        Ok(Err(e)) => error(StatusCode::BAD_REQUEST, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn one(State(s): State<Arc<AppState>>, Path(id): Path<i64>) -> Response {
    let store = s.store.clone();
    match tokio::task::spawn_blocking(move || store.get(id)).await {
        Ok(Ok(Some(r))) => json_text(record_to_json(Some(r.id), None, &r.record)),
        Ok(Ok(None)) => error(StatusCode::NOT_FOUND, format!("no record {id}")),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A JSON body already written as text (records, by the shared codec).
fn json_text(body: String) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// `GET /api/v1/correlation/{id}`: a request's records in time order.
async fn correlation(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let store = s.store.clone();
    let res = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.query(&StoreQuery {
                correlation_id: Some(id.clone()),
                limit: MAX_LIMIT,
                cursor,
                ..StoreQuery::default()
            })?;
            out.extend(page.records);
            match page.next_cursor {
                Some(c) if out.len() < 10 * MAX_LIMIT => cursor = Some(c),
                _ => break,
            }
        }
        out.sort_by_key(|r| (r.record.timestamp.as_nanos(), r.id));
        Ok::<_, hwlog_store::Error>(out)
    })
    .await;
    match res {
        Ok(Ok(recs)) => {
            let recs: Vec<String> = recs
                .iter()
                .map(|r| record_to_json(Some(r.id), None, &r.record))
                .collect();
            json_text(records_body(&recs, None))
        }
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `bucket=5m` of a query string: any duration of 1 s to 366 d (a bare number is seconds);
/// `default` seconds when absent.
pub(crate) fn bucket_secs(p: &HashMap<String, String>, default: i64) -> Result<i64, String> {
    let Some(b) = p.get("bucket").map(|b| b.trim()).filter(|b| !b.is_empty()) else {
        return Ok(default);
    };
    let secs = match b.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) => hwlog_core::units::parse_duration(b)
            .ok()
            .map(|d| d.as_secs()),
    };
    secs.filter(|s| (1..=366 * 86_400).contains(s))
        .map(|s| s as i64)
        .ok_or_else(|| {
            format!("invalid bucket {b:?}: use a duration of 1s to 366d such as 30s, 5m, 1d")
        })
}

/// `GET /api/v1/stats/volume?since=-1h&until=…&bucket=60`: records per bucket by level (and
/// by component) for the charts; every record of the range is counted (by the store, without
/// reading the records). At most 100,000 buckets.
async fn volume(
    State(s): State<Arc<AppState>>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let since = match parse_time(p.get("since").map_or("-1h", |v| v.as_str())) {
        Ok(t) => t,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let until = match p.get("until").filter(|u| !u.is_empty()) {
        None => Timestamp::now()
            .as_nanos()
            .saturating_add(hwlog_decode::limits::MAX_FUTURE),
        Some(u) => match parse_time(u) {
            Ok(t) => t,
            Err(e) => return error(StatusCode::BAD_REQUEST, e),
        },
    };
    let bucket_s = match bucket_secs(&p, 60) {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let q = hwlog_store::VolumeQuery {
        since,
        until,
        bucket: bucket_s * 1_000_000_000,
    };
    if let Err(e) = q.buckets() {
        return error(StatusCode::BAD_REQUEST, e.to_string());
    }
    let store = s.store.clone();
    match tokio::task::spawn_blocking(move || store.volume(&q)).await {
        Ok(Ok(v)) => Json(json!({
            "since": since,
            "until": until,
            "bucket_s": bucket_s,
            "buckets": v.buckets.iter().map(|b| json!({
                "start": b.start,
                "counts": b.counts.iter().map(|(l, n)| (l.as_str().to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
            "components": v.components.iter().map(|(c, n)| json!({"component": c, "count": n})).collect::<Vec<_>>(),
        }))
        .into_response(),
        Ok(Err(e)) if e.kind() == hwlog_store::ErrorKind::InvalidQuery => {
            error(StatusCode::BAD_REQUEST, e.to_string())
        }
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
