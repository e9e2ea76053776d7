//! The preview server's request-head parser (`ohisama serve`) on any bytes, as
//! a client could send them. Invariants: no panic; a complete head never
//! claims more bytes than it was given; a parsed target is checked by the
//! same path rule the server uses, and `Host` by the DNS-rebinding policy.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ohisama::serve::{HostPolicy, RequestTarget, parse_request_head};
use std::net::{IpAddr, Ipv4Addr};

fuzz_target!(|data: &[u8]| {
    match parse_request_head(data) {
        Ok(Some(head)) => {
            assert!(head.len <= data.len(), "head longer than the input");
            let _ = RequestTarget::parse(&head.target);
            if let Some(host) = &head.host {
                let policy = HostPolicy::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 1111);
                let allowed = policy.allows(host);
                let lower = host.to_ascii_lowercase();
                // Only the loopback names with the right port (or none) pass.
                if allowed {
                    assert!(
                        lower.starts_with("localhost")
                            || lower.starts_with("127.0.0.1")
                            || lower.starts_with("[::1]"),
                        "Host {host:?} allowed"
                    );
                }
            }
        }
        Ok(None) => {}
        Err(e) => {
            let _ = (e.status(), e.to_string());
        }
    }
});
