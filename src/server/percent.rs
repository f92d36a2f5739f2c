//! Percent-encoding for values put into URLs we build (redirects, `Link` headers).

/// Encodes everything but RFC 3986's unreserved characters; `keep_slash` leaves `/` alone for
/// values that are paths.
pub fn percent_encode(text: &str, keep_slash: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b'/' if keep_slash => "/".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn reserved_characters_are_encoded_and_slashes_only_on_request() {
        assert_eq!(percent_encode("SHA256:a+b/c=", false), "SHA256%3Aa%2Bb%2Fc%3D");
        assert_eq!(percent_encode("/settings/ssh keys", true), "/settings/ssh%20keys");
    }
}
