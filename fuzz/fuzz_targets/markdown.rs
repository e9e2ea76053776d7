//! The markdown renderer on any text. Invariants: no panic; no dangerous
//! scheme in an emitted `href` or `src`; heading ids are unique on the page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ohisama::markdown::{MarkdownOptions, render};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = MarkdownOptions {
        base_path: "/sub/",
        allow_raw_html: false,
    };
    let out = render(text, 1, &opts);
    let lower = out.html.to_ascii_lowercase();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in lower.match_indices(attr) {
            let value = &lower[i + attr.len()..];
            let value: String = value.chars().take_while(|c| *c != '"').collect();
            let squeezed: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            for bad in ["javascript:", "vbscript:", "data:", "//"] {
                assert!(
                    !squeezed.starts_with(bad),
                    "unsafe {attr}{value} from {text:?}"
                );
            }
        }
    }
    assert!(!lower.contains("<script"), "raw script from {text:?}");
    let mut ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate heading ids from {text:?}");
});
