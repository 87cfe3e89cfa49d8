//! The miner never panics on any input, its ids resolve, parameters of a line under its own
//! template are found, and the saved state loads again.
#![no_main]
use hwlog_analysis::miner::TemplateMiner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut m = TemplateMiner::new();
    for line in text.split('\n') {
        let r = m.add(line);
        let id = m.resolve(r.template_id);
        assert!(m.template(id).is_some());
        let _ = m.parameters(id, line);
        let _ = m.find(line);
    }
    let json = serde_json::to_string(&m.state()).unwrap();
    let again = TemplateMiner::from_state(serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(again.len(), m.len());
});
