//! Percent-encoding for values put into URLs we build (redirects, `Link` headers), and decoding for
//! checking what a URL we are handed comes to.

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

/// `%XX` sequences decoded once (invalid sequences left as they are; bytes that are not UTF-8
/// become U+FFFD, which checks of the decoded text treat as an ordinary character).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
