//! The preview server's request-head parser (`ohisama serve`) on any bytes, as
//! a client could send them. Invariants: no panic; a complete head never
//! claims more bytes than it was given; a parsed target is checked by the
//! same path rule the server uses, and `Host` by the DNS-rebinding policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ohisama::serve::{HostPolicy, RequestTarget, parse_request_head};
use std::net::{IpAddr, Ipv4Addr};

/// The name part of a `Host` value is `localhost` or a loopback IP in any
/// spelling (`[::01]`, `127.0.0.2`), whatever the port's spelling (`:`,
/// `:01111`): the policy is about names a rebinding page could use.
fn is_loopback_name(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fuzz_target!(|data: &[u8]| {
    match parse_request_head(data) {
        Ok(Some(head)) => {
            assert!(head.len <= data.len(), "head longer than the input");
            let _ = RequestTarget::parse(&head.target);
            if let Some(host) = &head.host {
                let policy = HostPolicy::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 1111);
                let allowed = policy.allows(host);
                // Only loopback passes: `localhost` or a loopback IP literal
                // (any spelling: `[::01]` is `::1`), with port 1111 or none.
                if allowed {
                    assert!(is_loopback_name(host), "Host {host:?} allowed");
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            let _ = (e.status(), e.to_string());
        }
    }
});
