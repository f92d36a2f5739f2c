//! The client's address: the TCP peer, or, when the peer is a reverse proxy named in
//! `trusted_proxies`, the address that proxy reports in `X-Forwarded-For`.
//!
//! Login limits and the audit log key on it. Without this, every request behind a proxy comes from
//! the proxy, so one attacker's failures would lock out everyone; trusting the header from anyone
//! would let an attacker pick a fresh address for every guess.

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The address a request is attributed to, set once per request by [`client_address`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// One `trusted_proxies` entry: an address or a CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxyRange {
    network: IpAddr,
    prefix: u8,
}

impl ProxyRange {
    /// `10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`.
    pub fn parse(text: &str) -> Result<ProxyRange, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits)),
            None => (text, None),
        };
        let network: IpAddr = addr.parse().map_err(|_| format!("{text:?} is not an IP address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(bits) => {
                bits.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| format!("{text:?}: bad prefix"))?
            }
        };
        Ok(ProxyRange { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (net, ip, width) = match (self.network, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(u32::from(n)), u128::from(u32::from(i)), 32u32),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128u32),
            _ => return false,
        };
        let host_bits = width - u32::from(self.prefix);
        host_bits >= width || (net >> host_bits) == (ip >> host_bits)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, a dual-stack listener) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Who sent a request that arrived from `peer` with `forwarded_for`: walking the header from the
/// right, the first address that is not a trusted proxy. An unreadable entry stops the walk there.
pub fn attribute(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[ProxyRange]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded_for.unwrap_or("").rsplit(',').map(str::trim).filter(|h| !h.is_empty()) {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// Middleware: attributes the request once, for the audit log, login limits and anything else.
/// `trusted` is `trusted_proxies`, parsed once when the router is built.
pub async fn client_address(State(trusted): State<Arc<[ProxyRange]>>, mut request: Request, next: Next) -> Response {
    if let Some(peer) = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip()) {
        let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let client = attribute(peer, forwarded, &trusted);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_parse_and_match() {
        let block = ProxyRange::parse("10.0.0.0/8").unwrap();
        assert!(block.contains(ip("10.200.1.1")));
        assert!(!block.contains(ip("11.0.0.1")));
        assert!(block.contains(ip("::ffff:10.1.1.1")));
        assert!(ProxyRange::parse("::1").unwrap().contains(ip("::1")));
        assert!(ProxyRange::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(ProxyRange::parse("10.0.0.0/33").is_err());
        assert!(ProxyRange::parse("proxy.lan").is_err());
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let trusted = [ProxyRange::parse("10.0.0.2").unwrap()];
        assert_eq!(attribute(ip("203.0.113.9"), Some("1.2.3.4"), &trusted), ip("203.0.113.9"), "a client lying");
        assert_eq!(attribute(ip("10.0.0.2"), Some("1.2.3.4"), &trusted), ip("1.2.3.4"));
        assert_eq!(
            attribute(ip("10.0.0.2"), Some("6.6.6.6, 1.2.3.4"), &trusted),
            ip("1.2.3.4"),
            "the leftmost entry is whatever the client wrote"
        );
        assert_eq!(attribute(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(attribute(ip("10.0.0.2"), Some("junk, 1.2.3.4"), &trusted), ip("1.2.3.4"));
        assert_eq!(attribute(ip("10.0.0.2"), Some("1.2.3.4, junk"), &trusted), ip("10.0.0.2"));
        let chain = [ProxyRange::parse("10.0.0.0/8").unwrap()];
        assert_eq!(attribute(ip("10.0.0.2"), Some("1.2.3.4, 10.0.0.7"), &chain), ip("1.2.3.4"));
    }
}
