//! Fast "does this text need escaping?" scans, shared by the JSON codec and the formatters. Most log text needs none, so formatters check
//! first and copy the whole string when clean. 16 bytes at a time with SSE2 (baseline on
//! x86_64; the last block overlaps instead of a scalar tail), 8 at a time (SWAR) elsewhere and
//! for short strings.

/// Control characters (< 0x20) and DEL.
pub const CONTROL: u8 = 0;
/// What JSON strings escape: control characters, DEL, `"` and `\`.
pub const JSON: u8 = 1;
/// What forces quoting of a `key=value` value: space and below, DEL, `"`, `=` and `\`.
pub const TEXT: u8 = 2;

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn word_has_less(x: u64, n: u8) -> bool {
    x.wrapping_sub(LO * n as u64) & !x & HI != 0
}

#[inline(always)]
fn word_has(x: u64, b: u8) -> bool {
    let y = x ^ (LO * b as u64);
    y.wrapping_sub(LO) & !y & HI != 0
}

#[inline(always)]
fn word_hit<const K: u8>(x: u64) -> bool {
    match K {
        CONTROL => word_has_less(x, 0x20) || word_has(x, 0x7f),
        JSON => {
            word_has_less(x, 0x20) || word_has(x, b'"') || word_has(x, b'\\') || word_has(x, 0x7f)
        }
        _ => {
            word_has_less(x, 0x21)
                || word_has(x, b'"')
                || word_has(x, b'=')
                || word_has(x, b'\\')
                || word_has(x, 0x7f)
        }
    }
}

fn any_swar<const K: u8>(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if word_hit::<K>(u64::from_le_bytes(w)) {
            return true;
        }
    }
    let rest = chunks.remainder();
    if rest.is_empty() {
        return false;
    }
    // Pad with `A`, which no kind matches.
    let mut w = [b'A'; 8];
    w[..rest.len()].copy_from_slice(rest);
    word_hit::<K>(u64::from_le_bytes(w))
}

#[cfg(target_arch = "x86_64")]
fn any_sse2<const K: u8>(bytes: &[u8]) -> bool {
    use std::arch::x86_64::*;
    debug_assert!(bytes.len() >= 16);
    // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16 bytes inside `bytes`
    // (the last block starts at len - 16).
    unsafe {
        let block = |i: usize| -> i32 {
            let v = _mm_loadu_si128(bytes.as_ptr().add(i) as *const __m128i);
            let limit = if K == TEXT { 0x20 } else { 0x1f };
            let low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(limit)), v);
            let mut m = _mm_or_si128(low, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
            if K != CONTROL {
                m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)));
                m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)));
            }
            if K == TEXT {
                m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(b'=' as i8)));
            }
            _mm_movemask_epi8(m)
        };
        let mut i = 0;
        while i + 16 <= bytes.len() {
            if block(i) != 0 {
                return true;
            }
            i += 16;
        }
        i < bytes.len() && block(bytes.len() - 16) != 0
    }
}

/// Whether any byte of `bytes` is of kind `K` ([`CONTROL`], [`JSON`] or [`TEXT`]).
#[inline]
pub fn any<const K: u8>(bytes: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 16 {
        return any_sse2::<K>(bytes);
    }
    any_swar::<K>(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(kind: u8, b: u8) -> bool {
        let ctl = b < 0x20 || b == 0x7f;
        match kind {
            CONTROL => ctl,
            JSON => ctl || b == b'"' || b == b'\\',
            _ => ctl || b == b' ' || b == b'"' || b == b'=' || b == b'\\',
        }
    }

    #[test]
    fn matches_bytewise_definition() {
        for b in 0u8..=255 {
            for len in [1usize, 7, 8, 9, 15, 16, 17, 31, 33] {
                for pos in [0, len / 2, len - 1] {
                    let mut v = vec![b'a'; len];
                    v[pos] = b;
                    assert_eq!(any::<CONTROL>(&v), slow(CONTROL, b), "{b} {len} {pos}");
                    assert_eq!(any::<JSON>(&v), slow(JSON, b), "{b} {len} {pos}");
                    assert_eq!(any::<TEXT>(&v), slow(TEXT, b), "{b} {len} {pos}");
                }
            }
        }
        assert!(!any::<CONTROL>(b""));
        assert!(!any::<JSON>("héllo wörld — ünïcode ok".as_bytes()));
    }
}
