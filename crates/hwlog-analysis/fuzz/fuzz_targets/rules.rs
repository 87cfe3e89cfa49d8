//! The rule parser never panics, and a rule that parses evaluates without panicking.
#![no_main]
use hwlog_analysis::rules::{Rule, RuleSet};
use hwlog_core::{Level, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    match Rule::parse(src) {
        Ok(rule) => {
            let mut set = RuleSet::new();
            set.add("r", rule).unwrap();
            let rec = Record::new(Level::Error, "hardware.ipmi", "IPMI timeout after 250ms")
                .with_field("duration_ms", 6200u64)
                .with_field("host", "bmc-1")
                .with_field("duration", "1.5s");
            for _ in 0..3 {
                let _ = set.evaluate(&rec);
            }
        }
        Err(e) => {
            // The column points into the rule (or just past its end).
            assert!(e.column >= 1 && e.column <= src.chars().count() + 1, "{e:?}");
            let _ = e.render(src);
        }
    }
});
