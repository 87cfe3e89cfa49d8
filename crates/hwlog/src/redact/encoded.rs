//! Base64 of a secret is a secret: a word that decodes to text is redacted when redacting
//! the decoded text would change it (Kubernetes secret values, docker configs, SASL PLAIN,
//! Basic credentials written without their header).

use super::{count_while, Redactor};

/// Decodes standard and URL-safe base64, padded or not.
const B64: [base64::engine::GeneralPurpose; 2] = {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    [
        GeneralPurpose::new(&base64::alphabet::STANDARD, config),
        GeneralPurpose::new(&base64::alphabet::URL_SAFE, config),
    ]
};

/// Base64 words longer than this are not decoded (a blob, not a credential).
const ENCODED_MAX: usize = 16 * 1024;

impl Redactor {
    /// Base64 of a secret is a secret: a Kubernetes secret value (`c2tfbGl2ZV8…`, base64 of
    /// a Stripe key), a `.dockerconfigjson`, SASL PLAIN (`\0user\0password`), Basic
    /// credentials after `Basic`. A word is decoded when it is base64 of text; it is
    /// redacted when redacting the decoded text would change it.
    pub(super) fn scan_encoded(
        &self,
        text: &str,
        words: &[(usize, usize)],
        spans: &mut Vec<(usize, usize)>,
    ) {
        use base64::Engine;
        let b = text.as_bytes();
        // Base64 of text: every group of four starts with the top six bits of a byte below
        // 0x80, `A`–`Z` or `a`–`f` (`TrustedInstaller` is not base64 of text). A cheap test
        // before the decoding.
        let words: Vec<(usize, usize)> = words
            .iter()
            .copied()
            .filter(|&(s, e)| {
                b[s..e]
                    .iter()
                    .step_by(4)
                    .all(|c| c.is_ascii_uppercase() || (b'a'..=b'f').contains(c))
            })
            .collect();
        if words.is_empty() {
            return;
        }
        // Words another rule already cut are left alone.
        let cut = super::generic::Cut::new(spans);
        for &(s, e) in &words {
            let w = &b[s..e];
            if w.len() > ENCODED_MAX || cut.overlaps(s, e) {
                continue;
            }
            let url = w.iter().any(|c| matches!(c, b'-' | b'_'));
            let std = w.iter().any(|c| matches!(c, b'+' | b'/'));
            // (`/redfish/v1/Systems/1` is a path)
            if (url && std)
                || w[0] == b'/'
                || !w
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"+/-_".contains(c))
            {
                continue;
            }
            let Ok(plain) = B64[usize::from(url)].decode(w) else {
                continue;
            };
            let Ok(plain) = std::str::from_utf8(&plain) else {
                continue;
            };
            if plain.len() < 6
                || plain
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\0'))
            {
                continue;
            }
            // SASL PLAIN: authzid NUL authcid NUL password.
            let parts: Vec<&str> = plain.split('\0').collect();
            let sasl = parts.len() == 3 && !parts[1].is_empty() && !parts[2].is_empty();
            // `Basic dXNlcjpwYXNz`: user:password.
            let basic = s >= 6
                && b[s - 6..s].eq_ignore_ascii_case(b"basic ")
                && plain
                    .split_once(':')
                    .is_some_and(|(u, p)| !u.is_empty() && !p.is_empty());
            if sasl
                || basic
                || (!plain.contains('\0')
                    && matches!(self.redact_once(plain), std::borrow::Cow::Owned(_)))
            {
                let end = e + count_while(b, e, |c| c == b'=');
                spans.push((s, end));
            }
        }
    }
}
