//! The token bloom filter of a block (the skip index of VictoriaLogs and ClickHouse): a
//! query for a word, a correlation id or a field value skips every block whose filter says
//! the item is absent.
//!
//! 10 bits per distinct item and 7 probes: about 1% of blocks without the item are read
//! anyway. Items are hashed with SipHash-1-3 under fixed keys, so a filter written by one
//! build is read the same by every other.
use std::hash::Hasher;

use siphasher::sip::SipHasher13;

const BITS_PER_ITEM: usize = 10;
const PROBES: u64 = 7;

fn hashes(item: &[u8]) -> (u64, u64) {
    let mut h = SipHasher13::new_with_keys(0x6877_6c6f_675f_626c, 0x6f6f_6d5f_7631_0000);
    h.write(item);
    let a = h.finish();
    // The second hash of double hashing: odd, so the probes cover the filter.
    let b = a.rotate_left(32).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (a, b)
}

/// Builds a filter over the distinct items given.
pub(crate) fn build(items: &[Vec<u8>]) -> Vec<u8> {
    let bytes = (items.len() * BITS_PER_ITEM).div_ceil(8).max(8);
    let mut bits = vec![0u8; bytes];
    let n = bytes as u64 * 8;
    for item in items {
        let (a, b) = hashes(item);
        for i in 0..PROBES {
            let bit = a.wrapping_add(i.wrapping_mul(b)) % n;
            bits[(bit / 8) as usize] |= 1 << (bit % 8);
        }
    }
    bits
}

/// Whether `item` may be in the set `bits` was built from (`false`: it is not). An empty
/// filter holds everything (a block written without one).
pub(crate) fn may_contain(bits: &[u8], item: &[u8]) -> bool {
    if bits.is_empty() {
        return true;
    }
    let n = bits.len() as u64 * 8;
    let (a, b) = hashes(item);
    (0..PROBES).all(|i| {
        let bit = a.wrapping_add(i.wrapping_mul(b)) % n;
        bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0
    })
}

/// The bloom item of a correlation id.
pub(crate) fn correlation_item(id: &str) -> Vec<u8> {
    let mut v = b"\x01c=".to_vec();
    v.extend_from_slice(id.as_bytes());
    v
}

/// The bloom item of a field's value as text.
pub(crate) fn field_item(key: &str, value: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(key.len() + value.len() + 3);
    v.extend_from_slice(b"\x01f");
    v.extend_from_slice(key.as_bytes());
    v.push(b'=');
    v.extend_from_slice(value.as_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_few_false_positives() {
        let items: Vec<Vec<u8>> = (0..5_000)
            .map(|i| format!("word{i}").into_bytes())
            .collect();
        let bits = build(&items);
        assert!(items.iter().all(|i| may_contain(&bits, i)));
        let fp = (0..10_000)
            .filter(|i| may_contain(&bits, format!("other{i}").as_bytes()))
            .count();
        assert!(fp < 300, "{fp} false positives in 10,000");
        assert!(may_contain(&[], b"x"));
        assert!(!may_contain(&build(&[]), b"x"));
        // Stable across builds: the hash of a fixed item is fixed.
        assert_eq!(hashes(b"node-07").0, hashes(b"node-07").0);
    }
}
