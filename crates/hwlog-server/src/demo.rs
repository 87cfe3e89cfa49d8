//! `--demo`: traffic from a simulated hardware-automation fleet, stored like any other
//! ingest. Each simulated request (discover, power, BIOS, firmware) has its own correlation
//! id and several records; IPMI timeouts and Redfish errors come at a steady rate; firmware
//! flashes get slower over time; every few minutes a burst of discovery traffic arrives.
//! The IPMI and Redfish lines carry real (random) passwords and tokens, as the code being
//! imitated logs them: the server's ingest redaction is what removes them.
use std::sync::Arc;
use std::time::Duration;

use hwlog_core::{Level, Record, Timestamp};

use crate::state::AppState;

/// A small deterministic generator (xorshift), so the demo needs no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn rec(level: Level, comp: &str, msg: String, corr: &str) -> Record {
    let mut r = Record::new(level, comp.to_string(), msg);
    r.timestamp = Timestamp::now();
    r.correlation_id = Some(corr.to_string().into());
    r
}

/// One simulated request's records.
fn request(rng: &mut Rng, n: u64, started: std::time::Instant) -> Vec<Record> {
    let corr = format!("req-{:08x}", rng.next() as u32);
    let node = rng.below(64);
    let bmc = format!("10.20.{}.{}", node / 16, 10 + node % 16);
    let host = format!("node-{node:02}");
    let mut out = Vec::new();
    match n % 4 {
        0 => {
            out.push(rec(
                Level::Info,
                "hwautomation.maas.api",
                format!("discovery requested for {host}"),
                &corr,
            ));
            let ms = 200 + rng.below(300);
            out.push(
                rec(
                    Level::Info,
                    "hwautomation.hardware.discovery",
                    format!("scan of {host} took {ms}ms"),
                    &corr,
                )
                .with_field("host", host.clone())
                .with_field("duration_ms", ms),
            );
        }
        1 => {
            // The simulated fleet logs its BMC password in clear, as the provisioning code
            // it imitates does: what the dashboard shows is the ingest redaction at work.
            let password = format!("bmc-{:06x}", rng.next() as u32 & 0xff_ffff);
            out.push(rec(
                Level::Info,
                "hwautomation.hardware.ipmi",
                format!("ipmitool -I lanplus -H {bmc} -U admin -P {password} chassis power status"),
                &corr,
            ));
            if rng.below(8) == 0 {
                out.push(
                    rec(
                        Level::Debug,
                        "hwautomation.hardware.redfish",
                        format!("GET https://{bmc}/redfish/v1/Systems/1 Authorization: Bearer rf-{:016x}", rng.next()),
                        &corr,
                    )
                    .with_field("password", password.clone()),
                );
            }
            if rng.below(12) == 0 {
                out.push(
                    rec(
                        Level::Error,
                        "hwautomation.hardware.ipmi",
                        format!("IPMI timeout talking to {bmc} after 5000ms"),
                        &corr,
                    )
                    .with_field("host", host.clone()),
                );
            } else {
                out.push(rec(
                    Level::Info,
                    "hwautomation.hardware.ipmi",
                    format!("power status of {host}: on"),
                    &corr,
                ));
            }
        }
        2 => {
            let setting = ["VT-x", "SR-IOV", "HyperThreading", "BootMode"][rng.below(4) as usize];
            out.push(rec(
                Level::Info,
                "hwautomation.bios.config",
                format!("applying BIOS setting {setting} on {host}"),
                &corr,
            ));
            if rng.below(20) == 0 {
                out.push(rec(
                    Level::Warning,
                    "hwautomation.hardware.redfish",
                    format!("Redfish PATCH on {bmc} returned 409, retrying"),
                    &corr,
                ));
            }
            if rng.below(40) == 0 {
                out.push(rec(
                    Level::Error,
                    "hwautomation.hardware.redfish",
                    format!("Redfish session to {bmc} refused: 401"),
                    &corr,
                ));
            }
        }
        _ => {
            // Firmware flashes get slower: +60 ms per minute of demo.
            let ms = 1500 + started.elapsed().as_secs() + rng.below(400);
            out.push(
                rec(
                    Level::Info,
                    "hwautomation.firmware.update",
                    format!("flashed BMC firmware on {host} in {ms}ms"),
                    &corr,
                )
                .with_field("host", host)
                .with_field("duration_ms", ms),
            );
            if rng.below(200) == 0 {
                out.push(rec(
                    Level::Critical,
                    "hwautomation.firmware.update",
                    format!("firmware image checksum mismatch on {bmc}"),
                    &corr,
                ));
            }
        }
    }
    out
}

/// Runs until the server stops: about 20 requests per second, a burst every 3 minutes.
pub async fn run(state: Arc<AppState>) {
    let started = std::time::Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut tick = tokio::time::interval(Duration::from_millis(50));
    let mut n = 0u64;
    loop {
        tick.tick().await;
        let mut batch = request(&mut rng, n, started);
        n += 1;
        if n.is_multiple_of(3600) {
            for k in 0..300 {
                batch.extend(request(&mut rng, k * 4, started));
            }
        }
        state.store_detached(batch, 2).await;
    }
}

/// The demo's alert rules: every CRITICAL record, and bursts of IPMI timeouts.
pub fn rules(state: &AppState) {
    use hwlog_analysis::alerts::{AlertRule, Severity, SEC};
    let rules = [
        AlertRule {
            dedup_by: vec!["component".into()],
            ..AlertRule::new("critical", r#"{level} == "CRITICAL""#, Severity::Critical)
        },
        AlertRule {
            suppression: 60 * SEC,
            escalation: Some(300 * SEC),
            channels: vec!["log".into(), "oncall".into()],
            ..AlertRule::new(
                "ipmi-timeouts",
                r#"count({component} =~ "ipmi" and {message} contains "timeout") > 5 within 1m"#,
                Severity::Error,
            )
        },
    ];
    let mut am = state.alerts();
    for r in rules {
        let _ = am.add_rule(r);
    }
}
