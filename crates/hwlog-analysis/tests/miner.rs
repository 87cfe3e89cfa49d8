//! The template miner: accuracy on the LogHub samples, Drain3's known failures, bounds,
//! state, parameters and bad input.
use hwlog_analysis::miner::{grouping_accuracy, Change, MinerConfig, TemplateMiner};

const SETS: [&str; 8] = [
    "HDFS",
    "Hadoop",
    "Spark",
    "Zookeeper",
    "BGL",
    "HPC",
    "Linux",
    "Proxifier",
];

fn load(set: &str) -> (Vec<String>, Vec<String>) {
    let path = format!(
        "{}/tests/data/loghub-2k/{set}.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(|l| {
            let (t, m) = l.split_once('\t').expect("tab");
            (t.to_string(), m.to_string())
        })
        .unzip()
}

fn mine(msgs: &[String]) -> (TemplateMiner, Vec<u64>) {
    let mut m = TemplateMiner::new();
    let ids: Vec<u64> = msgs.iter().map(|l| m.add(l).template_id).collect();
    let ids = ids.iter().map(|&i| m.resolve(i)).collect();
    (m, ids)
}

/// Grouping accuracy on the eight LogHub-2k sets with the default configuration: every set
/// at least 0.93, the average at least 0.98 (the goal is 0.85 and 0.95; Drain3 reaches
/// 0.78 on average). The floors sit just under what the miner reaches, so a change that
/// loses accuracy fails here.
#[test]
fn grouping_accuracy_on_loghub() {
    let mut sum = 0.0;
    let mut report = String::new();
    for set in SETS {
        let (truth, msgs) = load(set);
        assert_eq!(msgs.len(), 2000, "{set}");
        let (_, ids) = mine(&msgs);
        let ga = grouping_accuracy(&truth, &ids);
        report.push_str(&format!("{set} {ga:.4}\n"));
        sum += ga;
        assert!(ga >= 0.93, "{set}: GA {ga:.4}\n{report}");
    }
    let avg = sum / SETS.len() as f64;
    assert!(avg >= 0.98, "average GA {avg:.4}\n{report}");
}

/// Drain3 issue 66: a user name of two words must not make a second template.
#[test]
fn drain3_issue_66_variable_length_user_names() {
    let mut m = TemplateMiner::new();
    let mut ids = Vec::new();
    for line in [
        "Invalid user test9 from 52.80.34.196",
        "Invalid user admin from 187.141.143.180",
        "Invalid user oracle from 61.197.203.243",
        "Invalid user postgres from 52.80.34.196",
        "Invalid user boris zhang from 52.80.34.196",
        "Invalid user ftp from 112.95.230.3",
        "Invalid user mary ann smith from 10.1.1.1",
    ] {
        ids.push(m.add(line).template_id);
    }
    let ids: Vec<u64> = ids.iter().map(|&i| m.resolve(i)).collect();
    assert!(ids.iter().all(|&i| i == ids[0]), "{ids:?}");
    assert_eq!(
        m.template(ids[0]).unwrap().text(),
        "Invalid user <*> from <*>"
    );
    assert_eq!(
        m.parameters(ids[0], "Invalid user guest from 10.0.0.9")
            .unwrap(),
        ["guest", "10.0.0.9"]
    );
}

/// Drain3 issue 109: lines that differ in one meaningful word stay apart, even when that
/// word comes in four variants and the rest of the line is long.
#[test]
fn drain3_issue_109_meaningful_words_are_not_merged() {
    let line = |event: &str, ms: u32| {
        format!(
            "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.{ms} 2931 INFO \
             nova.compute.manager [req-3ea4052c-895d-4b64-9e2d-04d64c4d94ab - - - - -] \
             [instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM {event} (Lifecycle Event)"
        )
    };
    let mut m = TemplateMiner::new();
    let mut ids = Vec::new();
    for (i, ev) in [
        "Started", "Paused", "Resumed", "Stopped", "Started", "Paused",
    ]
    .iter()
    .enumerate()
    {
        ids.push(m.add(&line(ev, 500 + i as u32)).template_id);
    }
    let ids: Vec<u64> = ids.iter().map(|&i| m.resolve(i)).collect();
    assert_eq!(ids[0], ids[4], "the same event twice is one template");
    assert_eq!(ids[1], ids[5]);
    let distinct: std::collections::BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), 4, "{ids:?}");
    assert!(m
        .template(ids[0])
        .unwrap()
        .text()
        .ends_with("VM Started (Lifecycle Event)"));

    // Levels: INFO and ERROR lines with the same text are different templates.
    let mut m = TemplateMiner::new();
    let a = m.add("INFO disk check finished on node-12").template_id;
    let b = m.add("ERROR disk check finished on node-13").template_id;
    let c = m.add("WARN disk check finished on node-14").template_id;
    let d = m.add("DEBUG disk check finished on node-15").template_id;
    let e = m.add("INFO disk check finished on node-16").template_id;
    assert_eq!(m.resolve(a), m.resolve(e));
    let set: std::collections::BTreeSet<u64> = [a, b, c, d].iter().map(|&i| m.resolve(i)).collect();
    assert_eq!(set.len(), 4);
}

#[test]
fn user_names_become_variables_after_enough_variants_states_never() {
    let mut m = TemplateMiner::new();
    let users = ["cyrus", "news", "test", "root", "guest"];
    let ids: Vec<u64> = users
        .iter()
        .map(|u| {
            m.add(&format!("session opened for user {u} by (uid=0)"))
                .template_id
        })
        .collect();
    let last = m.resolve(*ids.last().unwrap());
    assert!(ids.iter().all(|&i| m.resolve(i) == last));
    assert_eq!(
        m.template(last).unwrap().text(),
        "session opened for user <*> by (uid=<*>)"
    );
    // Short messages (fewer than four other words) never generalise a word.
    let mut m = TemplateMiner::new();
    let ids: Vec<u64> = ["cupsd", "sshd", "xinetd", "crond", "syslogd"]
        .iter()
        .map(|d| m.add(&format!("{d} startup succeeded")).template_id)
        .collect();
    assert_eq!(m.len(), 5, "{ids:?}");
}

#[test]
fn values_merge_on_sight_and_changes_are_reported() {
    let mut m = TemplateMiner::new();
    let a = m.add("chrome.exe - proxy.example.org:5070 open through proxy HTTPS");
    assert_eq!(a.change, Change::Created);
    let b = m.add("firefox.exe - proxy.example.org:5070 open through proxy HTTPS");
    assert_eq!(b.change, Change::Generalised);
    assert_eq!(a.template_id, b.template_id);
    // An address where a host name was: generalised once more, then a plain match.
    let c = m.add("Skype.exe - 10.0.0.1:80 open through proxy HTTPS");
    assert_eq!(c.change, Change::Generalised);
    let d = m.add("Skype.exe - other.example.org:80 open through proxy HTTPS");
    assert_eq!(d.change, Change::None);
    assert_eq!(c.template_id, d.template_id);
    assert_eq!(
        m.template(a.template_id).unwrap().text(),
        "<*> - <*> open through proxy HTTPS"
    );
    // A different protocol is a different template.
    assert_ne!(
        m.add("chrome.exe - proxy.example.org:5070 open through proxy SOCKS5")
            .template_id,
        a.template_id
    );
}

#[test]
fn template_cap_evicts_least_recently_used() {
    let cfg = MinerConfig {
        max_templates: 100,
        cache_entries: 50,
        ..MinerConfig::default()
    };
    let mut m = TemplateMiner::with_config(cfg);
    let keep = m.add("heartbeat ok").template_id;
    for i in 0..5_000u32 {
        // Distinct words in distinct short messages: a new template each.
        let w: String = format!("{i:x}")
            .chars()
            .map(|c| (b'g' + c.to_digit(16).unwrap() as u8) as char)
            .collect();
        m.add(&format!("{w} event"));
        if i % 10 == 0 {
            m.add("heartbeat ok");
        }
        assert!(m.len() <= 100);
    }
    assert_eq!(
        m.add("heartbeat ok").template_id,
        keep,
        "a used template stays"
    );
    assert!(m.len() <= 100);
}

#[test]
fn state_round_trip_continues_with_the_same_ids() {
    let (_, msgs) = load("Zookeeper");
    let (first, rest) = msgs.split_at(1000);
    let mut whole = TemplateMiner::new();
    let expected: Vec<u64> = msgs.iter().map(|l| whole.add(l).template_id).collect();
    let mut part = TemplateMiner::new();
    for l in first {
        part.add(l);
    }
    let json = serde_json::to_string(&part.state()).unwrap();
    let mut resumed = TemplateMiner::from_state(serde_json::from_str(&json).unwrap()).unwrap();
    let got: Vec<u64> = rest.iter().map(|l| resumed.add(l).template_id).collect();
    let want: Vec<u64> = expected[1000..].iter().map(|&i| whole.resolve(i)).collect();
    let got: Vec<u64> = got.iter().map(|&i| resumed.resolve(i)).collect();
    assert_eq!(got, want);
    assert_eq!(resumed.len(), whole.len());

    // A corrupt state is refused.
    let mut bad = part.state();
    bad.version = 99;
    let e = TemplateMiner::from_state(bad).unwrap_err();
    assert_eq!(e.kind(), hwlog_analysis::miner::StateErrorKind::Version);
    assert!(e.to_string().contains("version"), "{e}");
    let mut bad = part.state();
    bad.aliases = vec![(1, 2), (2, 1)];
    let e = TemplateMiner::from_state(bad).unwrap_err();
    assert_eq!(
        e.kind(),
        hwlog_analysis::miner::StateErrorKind::InvalidAlias
    );
    assert!(e.to_string().contains("cycle"), "{e}");
}

#[test]
fn huge_binary_and_odd_lines_never_panic() {
    let mut m = TemplateMiner::new();
    let huge = "x".repeat(1 << 20);
    let id = m.add(&huge).template_id;
    assert!(m.template(id).unwrap().text().len() <= 16 * 1024);
    let many_tokens = "a ".repeat(100_000);
    m.add(&many_tokens);
    for s in [
        "",
        " ",
        "\u{0}\u{1}\u{7f}",
        "é日本語 ü 1234 ((( ))) [[ ]] === a= =b",
        "\u{fffd}\u{fffd} binary \u{fffd}",
        "=",
        "()",
        "a=() b=\"\"",
        // Found by cargo-fuzz: a line of variables only.
        "H7j\rj1",
        "1 2\r3",
    ] {
        let r = m.add(s);
        assert!(m.template(r.template_id).is_some(), "{s:?}");
    }
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..2000 {
        let len = (rng % 200) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng % 128) as u8
            })
            .collect();
        let s = String::from_utf8_lossy(&bytes);
        m.add(&s);
    }
}

#[test]
fn masking_covers_common_variables() {
    let mut m = TemplateMiner::new();
    let pairs = [
        ("request 4f1c2a took 250ms", "request 9a8b7c6d took 1.5s"),
        ("from 10.0.0.1:443", "from [2001:db8::1]:8443"),
        (
            "job 123e4567-e89b-12d3-a456-426614174000 done",
            "job 00000000-0000-0000-0000-000000000000 done",
        ),
        ("open /var/lib/a.db failed", "open ./b/c.db failed"),
        (
            "at 2024-01-02T03:04:05Z ok",
            "at 2025-12-31T23:59:59.123+01:00 ok",
        ),
        ("mac 00:1a:2b:3c:4d:5e up", "mac AA:BB:CC:DD:EE:FF up"),
        ("sent 403 bytes", "sent 1190 bytes (1.16 KB)"),
        ("addr 0x7ffe1234", "addr 0xDEADBEEF"),
    ];
    for (a, b) in pairs {
        let x = m.add(a).template_id;
        let y = m.add(b).template_id;
        assert_eq!(m.resolve(x), m.resolve(y), "{a:?} vs {b:?}");
    }
}
