//! `ComponentPattern::sql_regex` means what `ComponentPattern::matches` means, read by the
//! `regex` crate (PostgreSQL reads the same text in the store's compliance suite).
use hwlog_core::pattern::CASES;
use hwlog_core::ComponentPattern;

#[test]
fn sql_regex_agrees_with_matches_on_the_table() {
    let names: Vec<&str> = CASES.iter().map(|c| c.1).collect();
    for &(p, _, _) in CASES {
        let pat = ComponentPattern::new(p);
        let re = regex::Regex::new(&pat.sql_regex()).unwrap_or_else(|e| panic!("{p}: {e}"));
        for n in &names {
            assert_eq!(re.is_match(n), pat.matches(n), "{p:?} vs {n:?}: {re}");
        }
    }
}

#[test]
fn sql_regex_of_hostile_patterns_compiles_and_agrees() {
    let hostile = [
        "\\d+",
        "(a|b)",
        "a{3}",
        "^$",
        "[[:alpha:]]",
        "[\\]]",
        "[a-]",
        "[-a]",
        "[z-a]x",
        ".+",
        "a\nb*",
        "🚀*",
        "[🚀-🛸]",
        "*[!.]",
        "[!]]x",
        "a]b",
        "'; DROP TABLE logs; --*",
    ];
    let names = [
        "\\d+",
        "1",
        "a",
        "aaa",
        "(a|b)",
        "",
        "x",
        "-",
        "]",
        "z",
        "a\nb",
        "a\nbx",
        "🚀1",
        "🚁",
        "ab.c",
        "x]",
        "a]b",
        "'; DROP TABLE logs; --",
        "zx",
    ];
    for p in hostile {
        let pat = ComponentPattern::new(p);
        let re = regex::Regex::new(&pat.sql_regex()).unwrap_or_else(|e| panic!("{p}: {e}"));
        for n in names {
            assert_eq!(re.is_match(n), pat.matches(n), "{p:?} vs {n:?}: {re}");
        }
    }
}
