//! Profiles as data, config files in TOML and YAML, every error at once with its position.
use hwlog::config::{Config, Overrides, Syntax, BUILTIN_PROFILES, PROFILE_NAMES};
use hwlog::Level;

#[test]
fn builtin_profiles_are_valid_and_shaped_as_documented() {
    let cfg = Config::builtin();
    for p in PROFILE_NAMES {
        cfg.resolve(p, &Overrides::new()).unwrap();
    }
    let prod = cfg.resolve("production", &Overrides::new()).unwrap();
    assert_eq!(prod.level, Level::Warning);
    let names: Vec<_> = prod.routes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["console", "file", "metrics", "error_file"]);
    let filters = format!("{:?}", prod.routes[1].filters);
    assert!(filters.contains("Environment") && filters.contains("redact: true"));
    assert!(filters.contains("RateLimit") && filters.contains("Component"));
    assert!(filters.contains("\"hyper\""));
    let dev = cfg.resolve("development", &Overrides::new()).unwrap();
    assert_eq!(dev.level, Level::Debug);
    assert!(!format!("{:?}", dev.routes).contains("RateLimit"));
    // The embedded file parses as a user config file too (it is meant to be copied).
    Config::from_text(BUILTIN_PROFILES, Syntax::Toml, "copy.toml").unwrap();
}

#[test]
fn overrides_switch_features_without_touching_profiles() {
    let cfg = Config::builtin();
    let o = Overrides::new()
        .level(Level::Debug)
        .feature("rate_limiting", false)
        .feature("compression", true);
    let s = cfg.resolve("staging", &o).unwrap();
    assert_eq!(s.level, Level::Debug);
    let names: Vec<_> = s.routes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["console", "file"]);
    assert!(!format!("{:?}", s.routes).contains("RateLimit"));
    let plain = cfg.resolve("staging", &Overrides::new()).unwrap();
    assert_eq!(plain.level, Level::Info);
    assert!(format!("{:?}", plain.routes).contains("RateLimit"));
    let pairs =
        Overrides::from_pairs([("level", "debug"), ("features.compression", "on")]).unwrap();
    assert_eq!(
        pairs,
        Overrides::new()
            .level(Level::Debug)
            .feature("compression", true)
    );
    let err = Overrides::from_pairs([("levl", "x"), ("level", "LOUD"), ("features.x", "maybe")])
        .unwrap_err();
    assert_eq!(err.issues.len(), 3, "{err}");
}

const BAD_TOML: &str = r#"profile = "custom"

[profiles.custom]
level = "VERBOSE"
features = { fast = true, unused = false }
filters = [{ type = "rate_limit", rate = -1, burst = 0, when = "fast" }]

[[profiles.custom.routes]]
name = "console"
sink = { type = "console", stream = "stdfoo" }
format = { type = "jsn" }

[[profiles.custom.routes]]
name = "console"
sink = { type = "file", path = "x.log" }
colour = "red"

[[profiles.custom.routes]]
name = "third"
sink = { type = "file" }
"#;

#[test]
fn toml_reports_every_error_with_line_and_column() {
    let err = Config::from_text(BAD_TOML, Syntax::Toml, "bad.toml").unwrap_err();
    let text = err.to_string();
    let expect = [
        ("bad.toml:4:", "unknown level \"VERBOSE\""),
        ("bad.toml:6:", "rate must not be negative"),
        ("bad.toml:6:", "burst must be at least 1"),
        ("bad.toml:10:", "unknown stream \"stdfoo\""),
        ("bad.toml:11:", "unknown formatter \"jsn\""),
        ("bad.toml:", "a file sink needs \"path\""),
        ("bad.toml:16:", "unknown key \"colour\""),
        ("bad.toml:", "route name \"console\" is used twice"),
        ("bad.toml:", "feature \"unused\" switches nothing"),
    ];
    for (loc, msg) in expect {
        assert!(
            err.issues
                .iter()
                .any(|i| i.to_string().starts_with(loc) && i.message.contains(msg)),
            "missing {loc} {msg} in:\n{text}"
        );
    }
    assert!(err.issues.len() >= expect.len(), "{text}");
}

#[test]
fn yaml_config_loads_and_reports_errors() {
    let good = r#"
profile: ops
overrides:
  level: INFO
profiles:
  ops:
    extends: production
    features:
      rate_limiting: false
    routes:
      - name: console
        sink: { type: console, stream: stdout, color: never }
        format: { type: dashboard, width: 80 }
"#;
    let cfg = Config::from_text(good, Syntax::Yaml, "ops.yaml").unwrap();
    assert_eq!(cfg.default_profile(), Some("ops"));
    let ops = cfg.resolve("ops", cfg.file_overrides()).unwrap();
    assert_eq!(ops.level, Level::Info);
    assert_eq!(ops.routes.len(), 1);
    // Inherited profile-wide filters (redaction) apply to the new route.
    assert!(format!("{:?}", ops.routes[0].filters).contains("Environment"));
    assert!(!format!("{:?}", ops.routes[0].filters).contains("RateLimit"));
    // `compression` no longer switches anything in `ops`, so it was dropped.
    assert!(!ops.features.iter().any(|(n, _)| n == "compression"));
    let bad = "profiles:\n  ops:\n    level: LOUD\n    routes:\n      - name: c\n        sink: { type: tape }\n        format: yaml\n";
    let err = Config::from_text(bad, Syntax::Yaml, "bad.yaml").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("bad.yaml:3:") && text.contains("LOUD"),
        "{text}"
    );
    assert!(text.contains("unknown sink \"tape\""), "{text}");
    assert!(
        text.contains("bad.yaml:7:") && text.contains("unknown formatter \"yaml\""),
        "{text}"
    );
    let syntax = Config::from_text("a: [1,\n", Syntax::Yaml, "broken.yaml").unwrap_err();
    assert_eq!(syntax.issues.len(), 1);
    let syntax = Config::from_text("a = [1,\n", Syntax::Toml, "broken.toml").unwrap_err();
    assert!(syntax.to_string().contains("broken.toml:"), "{syntax}");
}

#[test]
fn from_path_picks_syntax_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("c.yml");
    std::fs::write(&y, "profile: testing\n").unwrap();
    assert_eq!(
        Config::from_path(&y).unwrap().default_profile(),
        Some("testing")
    );
    let missing = Config::from_path(dir.path().join("nope.toml")).unwrap_err();
    assert!(missing.to_string().contains("cannot read"), "{missing}");
}

#[test]
fn remote_sink_in_a_config_file() {
    let text = r#"
profile = "ship"
[profiles.ship]
level = "INFO"
[[profiles.ship.routes]]
name = "server"
format = "json"
sink = { type = "remote", url = "http://127.0.0.1:7700", token = "writer-0123456789abcdef", spool = "spool.ndjson", max_spool_mb = 50 }
buffer = true
"#;
    let cfg = Config::from_text(text, Syntax::Toml, "ship.toml").unwrap();
    let p = cfg.resolve("ship", &Overrides::new()).unwrap();
    let sink = format!("{:?}", p.routes[0].sink);
    assert!(
        sink.contains("Remote") && sink.contains("max_spool_mb: 50"),
        "{sink}"
    );
    let bad = text
        .replace("url = \"http://127.0.0.1:7700\", ", "")
        .replace("max_spool_mb = 50", "max_spool_mb = 0");
    let e = Config::from_text(&bad, Syntax::Toml, "bad.toml")
        .and_then(|c| c.resolve("ship", &Overrides::new()).map(|_| c))
        .unwrap_err()
        .to_string();
    assert!(e.contains("a remote sink needs a url"), "{e}");
    // The same route to an OpenTelemetry collector.
    let otlp = text
        .replace(
            "type = \"remote\"",
            "type = \"otlp\", service = \"provisioner\"",
        )
        .replace("7700", "4318");
    let cfg = Config::from_text(&otlp, Syntax::Toml, "otlp.toml").unwrap();
    let p = cfg.resolve("ship", &Overrides::new()).unwrap();
    let sink = format!("{:?}", p.routes[0].sink);
    assert!(
        sink.contains("otlp_service: Some(\"provisioner\")"),
        "{sink}"
    );
    let bad = otlp.replace("service = \"provisioner\"", "colour = 1");
    let e = Config::from_text(&bad, Syntax::Toml, "bad.toml")
        .and_then(|c| c.resolve("ship", &Overrides::new()).map(|_| c))
        .unwrap_err()
        .to_string();
    assert!(e.contains("colour"), "{e}");
}

/// Config files and overrides read level names with the shared parser: the table, case by
/// case (file sources are tested in hwlog-decode).
#[test]
fn level_names_are_the_shared_table() {
    for &(name, want) in hwlog_core::LEVEL_CASES {
        let got = Overrides::from_pairs([("level", name)]).ok();
        assert_eq!(
            got,
            want.map(|l| Overrides::new().level(l)),
            "override level {name:?}"
        );
    }
}

/// A file sink's `rotate.max_bytes` reads sizes with the shared parser: the table, case by
/// case.
#[test]
fn rotation_sizes_are_the_shared_table() {
    use hwlog::config::SinkSpec;
    for &(text, want) in hwlog_core::units::SIZE_CASES {
        let cfg = format!(
            "[profiles.p]\nlevel = \"INFO\"\nfeatures = {{}}\n[[profiles.p.routes]]\nname = \"f\"\nformat = \"json\"\nsink = {{ type = \"file\", path = \"a.log\", rotate = {{ max_bytes = {text:?} }} }}\n"
        );
        let got = Config::from_text(&cfg, Syntax::Toml, "s.toml")
            .ok()
            .and_then(|c| c.resolve("p", &Overrides::new()).ok())
            .and_then(|a| match &a.routes[0].sink {
                SinkSpec::File {
                    rotate: Some(r), ..
                } => r.max_bytes,
                _ => None,
            });
        assert_eq!(got, want, "max_bytes = {text:?}");
    }
}
