//! The alert rule language: what matches, windows, and parse errors with their columns.
use hwlog_analysis::rules::{Evaluation, Rule, RuleSet};
use hwlog_core::{Level, Record, Timestamp};

const SEC: i64 = 1_000_000_000;

fn rec(level: Level, comp: &str, msg: &str) -> Record {
    Record::new(level, comp.to_string(), msg.to_string())
}

fn at(mut r: Record, secs: i64) -> Record {
    r.timestamp = Timestamp::from_nanos(secs * SEC);
    r
}

/// Whether `rule` matches `r` (a fresh rule set each time).
fn matches(rule: &str, r: &Record) -> bool {
    let mut set = RuleSet::new();
    set.add(
        "r",
        Rule::parse(rule).unwrap_or_else(|e| panic!("{}", e.render(rule))),
    )
    .unwrap();
    match set.evaluate(r).as_slice() {
        [] => false,
        [Evaluation::Matched(_)] => true,
        other => panic!("{rule}: {other:?}"),
    }
}

#[test]
fn comparisons_text_regex_and_logic() {
    let r = {
        let mut r = rec(
            Level::Error,
            "hardware.ipmi",
            "IPMI timeout talking to 10.0.0.5",
        )
        .with_field("duration_ms", 6200u64)
        .with_field("duration", "1.5s")
        .with_field("attempt", 3i64)
        .with_field("host", "bmc-12")
        .with_field("ok", false);
        r.correlation_id = Some("req-42".into());
        r
    };
    let yes = [
        r#"{level} == "ERROR""#,
        r#"{level} >= "WARNING""#,
        r#"{level} < "CRITICAL""#,
        r#"{level} == "error""#,
        r#"{component} =~ "hardware.*""#,
        r#"{component} =~ "^hardware\.(ipmi|redfish)$""#,
        r#"{component} !~ "^bios""#,
        r#"{message} contains "timeout""#,
        r#"{message} startswith "IPMI" and {message} endswith "10.0.0.5""#,
        r#"{fields.duration_ms} > 5000"#,
        r#"{fields.duration_ms} > 5s"#,
        r#"{fields.duration_ms} <= 6200"#,
        r#"{fields.duration} >= 1500ms"#,
        r#"{fields.duration} < 2s"#,
        r#"{fields.attempt} == 3"#,
        r#"{fields.attempt} != "4""#,
        r#"{correlation_id} == "req-42""#,
        r#"{host} == "bmc-12""#,
        r#"{correlation_id}"#,
        r#"not {fields.ok}"#,
        r#"{fields.ok} == false"#,
        r#"not ({level} < "ERROR") and ({component} == "x" or {message} contains "IPMI")"#,
        r#"{level} == "CRITICAL" or {level} == "ERROR" and {fields.attempt} > 2"#,
        r#"NOT {fields.missing}"#,
    ];
    for rule in yes {
        assert!(matches(rule, &r), "should match: {rule}");
    }
    let no = [
        r#"{level} == "CRITICAL""#,
        r#"{component} =~ "^bios""#,
        r#"{message} contains "Timeout""#,
        r#"{fields.duration_ms} > 10s"#,
        r#"{fields.missing} == "x""#,
        r#"{fields.missing} != "x""#,
        r#"{fields.missing} > 1"#,
        r#"{fields.missing}"#,
        r#"{user}"#,
        r#"({level} == "CRITICAL" or {level} == "ERROR") and {fields.attempt} > 3"#,
        r#"not {correlation_id}"#,
    ];
    for rule in no {
        assert!(!matches(rule, &r), "should not match: {rule}");
    }
}

#[test]
fn count_within_a_window_in_record_time() {
    let mut set = RuleSet::new();
    set.add(
        "bursts",
        Rule::parse(r#"count({level} >= "ERROR" and {component} =~ "^bmc") > 3 within 1m"#)
            .unwrap(),
    )
    .unwrap();
    let mut fired = Vec::new();
    // Errors at t = 0, 10, 20, 30, 40 s: the fourth error is the fourth in the minute → > 3
    // holds from t = 30. Other components and levels do not count.
    let events = [
        (0, Level::Error, "bmc.a"),
        (5, Level::Info, "bmc.a"),
        (10, Level::Error, "bmc.b"),
        (15, Level::Error, "bios"),
        (20, Level::Critical, "bmc.a"),
        (30, Level::Error, "bmc.a"),
        (40, Level::Error, "bmc.a"),
        // 100 s: only the errors at 40 and 100 are within the minute.
        (100, Level::Error, "bmc.a"),
        (101, Level::Info, "bmc.a"),
    ];
    for (t, level, comp) in events {
        let hits = set.evaluate(&at(rec(level, comp, "x"), t));
        if !hits.is_empty() {
            fired.push(t);
        }
    }
    assert_eq!(fired, [30, 40]);
}

#[test]
fn rate_per_minute_and_hour() {
    let mut set = RuleSet::new();
    set.add(
        "retries",
        Rule::parse(r#"rate({message} contains "retry") > 2/m within 5m"#).unwrap(),
    )
    .unwrap();
    set.add(
        "hourly",
        Rule::parse(r#"rate({message} contains "retry") >= 120/h within 5m"#).unwrap(),
    )
    .unwrap();
    // 11 retries in the 5 minutes = 2.2 per minute > 2; 10 would be exactly 2.
    let mut last = Vec::new();
    for i in 0..11 {
        last = set.evaluate(&at(rec(Level::Warning, "c", "retry connect"), i * 20));
        if i == 9 {
            assert_eq!(last, [Evaluation::Matched("hourly".into())]);
        }
    }
    assert_eq!(
        last,
        [
            Evaluation::Matched("retries".into()),
            Evaluation::Matched("hourly".into())
        ]
    );
}

#[test]
fn new_template_fires_once_per_new_pattern() {
    let mut set = RuleSet::new();
    set.add(
        "new",
        Rule::parse(r#"new_template and {level} >= "WARNING""#).unwrap(),
    )
    .unwrap();
    let mut hits = 0;
    for msg in [
        "fan 1 speed low",
        "fan 2 speed low",
        "PSU 1 lost input",
        "fan 3 speed low",
        "PSU 2 lost input",
    ] {
        hits += set.evaluate(&rec(Level::Warning, "bmc", msg)).len();
    }
    assert_eq!(hits, 2);
    // Windows and new_template combine.
    let mut set = RuleSet::new();
    set.add(
        "storm",
        Rule::parse("count(new_template) >= 3 within 10m").unwrap(),
    )
    .unwrap();
    let n: usize = ["a b", "c d", "a b", "e f"]
        .iter()
        .enumerate()
        .map(|(i, m)| set.evaluate(&at(rec(Level::Info, "c", m), i as i64)).len())
        .sum();
    assert_eq!(n, 1);
}

#[test]
fn a_failing_rule_does_not_stop_the_others() {
    let mut set = RuleSet::new();
    set.add("bad", Rule::parse("{fields.host} > 5").unwrap())
        .unwrap();
    set.add("good", Rule::parse(r#"{level} == "ERROR""#).unwrap())
        .unwrap();
    let r = rec(Level::Error, "c", "x").with_field("host", "bmc-1");
    let out = set.evaluate(&r);
    assert_eq!(out.len(), 2);
    assert!(matches!(&out[0], Evaluation::Failed(n, e) if n == "bad"
            && e.kind() == hwlog_analysis::rules::EvalErrorKind::NotANumber
            && e.to_string() == "{fields.host} is \"bmc-1\", not a number"));
    assert_eq!(out[1], Evaluation::Matched("good".into()));
    assert_eq!(
        set.failures("bad"),
        Some((1, Some("{fields.host} is \"bmc-1\", not a number")))
    );
    assert!(set.add("good", Rule::parse("{level}").unwrap()).is_err());
    assert!(set.remove("bad"));
    assert_eq!(set.list(), [("good", r#"{level} == "ERROR""#)]);
}

#[test]
fn parse_errors_point_at_the_column() {
    let cases: [(&str, usize, &str); 18] = [
        ("", 1, "expected a field"),
        ("{level} = \"ERROR\"", 9, "`=` is not an operator: use `==`"),
        ("{level} == \"LOUD\"", 12, "unknown level \"LOUD\""),
        ("{lvl} == \"ERROR\"", 1, "unknown field {lvl}"),
        ("{level", 1, "unclosed `{`"),
        (
            "{message} contains timeout",
            20,
            "expected a string after the text operator",
        ),
        (
            "{message} =~ \"(unclosed\"",
            14,
            "invalid regular expression",
        ),
        ("{message} == \"open", 14, "unterminated string"),
        (
            "({level} == \"ERROR\"",
            20,
            "expected `)`, found the end of the rule",
        ),
        (
            "{level} == \"ERROR\" {component}",
            20,
            "expected `and`, `or` or the end",
        ),
        ("count({level}) > 3", 19, "expected `within`"),
        (
            "count({level}) > 3 within",
            26,
            "expected a positive duration",
        ),
        (
            "count({level}) > 3 within 5x",
            28,
            "invalid duration \"5x\" (unknown unit",
        ),
        (
            "count(count({level}) > 1 within 1m) > 1 within 1m",
            7,
            "windows do not nest",
        ),
        (
            "count({level}) > 10/m within 1m",
            18,
            "count(...) compares with a number",
        ),
        ("rate({level}) > 10/x within 1m", 20, "a rate needs a unit"),
        ("{level} == \"ERROR\" and", 23, "expected a field"),
        ("{level} ≈ 3", 9, "unexpected character '≈'"),
    ];
    for (src, col, msg) in cases {
        let e = Rule::parse(src).expect_err(src);
        assert_eq!(e.column, col, "{src}: {e}");
        assert!(e.message.contains(msg), "{src}: {e}");
    }
    let e = Rule::parse("{level} = \"ERROR\"").unwrap_err();
    assert_eq!(
        e.render("{level} = \"ERROR\""),
        "{level} = \"ERROR\"\n        ^ `=` is not an operator: use `==`"
    );
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!("{}{{level}}{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(Rule::parse(&deep)
        .unwrap_err()
        .message
        .contains("nests deeper than 64"));
    let nots = format!("{}{{level}}", "not ".repeat(100_000));
    assert!(Rule::parse(&nots).is_err());
    let ok = format!("{}{{level}}{}", "(".repeat(60), ")".repeat(60));
    assert!(Rule::parse(&ok).is_ok());
}

#[test]
fn window_memory_stays_bounded() {
    let mut set = RuleSet::new();
    set.add(
        "many",
        Rule::parse("count({level}) > 5000000 within 1h").unwrap(),
    )
    .unwrap();
    // 2 million matches within the hour at 1 ms spacing: runs of 3.6 s share an entry.
    set.add(
        "exact",
        Rule::parse("count({level}) > 1999999 within 1h").unwrap(),
    )
    .unwrap();
    for i in 0..2_000_000i64 {
        let mut r = rec(Level::Info, "c", "x");
        r.timestamp = Timestamp::from_nanos(i * 1_000_000);
        let out = set.evaluate(&r);
        // Counting stays exact: the two-millionth match is the first over 1,999,999.
        assert_eq!(out.is_empty(), i < 1_999_999, "{i}");
    }
    assert!(set.window_entries() <= 2 * 1001, "{}", set.window_entries());
}

/// `{level} == "…"` reads level names as hwlog-core does: the shared table, case by case.
#[test]
fn level_names_are_the_shared_table() {
    for &(name, want) in hwlog_core::LEVEL_CASES {
        let src = format!("{{level}} == {name:?}");
        assert_eq!(Rule::parse(&src).is_ok(), want.is_some(), "{src}");
    }
}
