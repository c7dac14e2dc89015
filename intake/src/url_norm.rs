//! Reported addresses made comparable: two reports of the same page should meet even when one
//! came with `?utm_source=…`, a `#fragment`, `HTTP://Host.EXAMPLE:443/` or a trailing slash.
//!
//! Parsing is the WHATWG URL standard (the `url` crate, as browsers parse), which already
//! lowercases the scheme and host, drops default ports and normalises percent-encoding. On top:
//! the fragment goes, tracking parameters go, the remaining query keeps its order, and a
//! trailing slash on a path other than `/` goes. `http` and `https` stay distinct: they can be
//! different sites.

use url::Url;

/// Query parameters that only say where a click came from. Prefix `utm_` covers Google
/// Analytics' family; the rest are the common ad and mail click ids.
const TRACKING: &[&str] = &[
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "si",
];

fn is_tracking(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("utm_") || TRACKING.contains(&lower.as_str())
}

/// The comparable form of `address`, or `None` when it is not an absolute http(s) URL.
pub fn normalise(address: &str) -> Option<String> {
    let mut url = Url::parse(address.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if let Some(host) = url.host_str() {
        // `Example.com.` and `example.com` are the same host.
        if let Some(stripped) = host.strip_suffix('.') {
            let stripped = stripped.to_owned();
            url.set_host(Some(&stripped)).ok()?;
        }
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let path = url.path().to_owned();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn variants_of_one_page_meet() {
        let want = normalise("https://host.example/gallery/42");
        assert!(want.is_some());
        for variant in [
            "https://host.example/gallery/42",
            "HTTPS://HOST.Example/gallery/42",
            "https://host.example:443/gallery/42",
            "https://host.example/gallery/42/",
            "https://host.example/gallery/42#photo-3",
            "https://host.example/gallery/42?utm_source=x&utm_medium=y",
            "https://host.example/gallery/42?fbclid=abc",
            "https://host.example./gallery/42",
            "https://user:pw@host.example/gallery/42",
            "  https://host.example/gallery/42  ",
        ] {
            assert_eq!(normalise(variant), want, "{variant}");
        }
    }

    #[test]
    fn different_pages_stay_apart() {
        let base = normalise("https://host.example/gallery/42");
        for other in [
            "http://host.example/gallery/42",
            "https://host.example/gallery/43",
            "https://host.example/gallery/42?page=2",
            "https://other.example/gallery/42",
            "https://host.example:8443/gallery/42",
            "https://host.example/Gallery/42",
        ] {
            assert_ne!(normalise(other), base, "{other}");
        }
        assert_eq!(
            normalise("https://h.example/p?b=2&utm_x=1&a=1").as_deref(),
            Some("https://h.example/p?b=2&a=1")
        );
    }

    #[test]
    fn only_web_addresses() {
        for bad in [
            "",
            "not a url",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:,x",
            "/relative",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
