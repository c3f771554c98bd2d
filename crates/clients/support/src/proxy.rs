//! Proxies from the environment, read here rather than by `reqwest`, for two reasons:
//! `reqwest` ignores `NO_PROXY=*` for a host written as an IP address (so a credential went
//! in clear to an `http://` proxy that was meant to be bypassed), and it ignores a
//! variable it cannot parse without a word. Here the rules are curl's, and a variable that
//! is set but is not a proxy URL stops the client from being built.
//!
//! | variable | used for |
//! |---|---|
//! | `https_proxy`, `HTTPS_PROXY` | `https://` URLs |
//! | `http_proxy` (`HTTP_PROXY` outside CGI) | `http://` URLs |
//! | `all_proxy`, `ALL_PROXY` | either, when the above is unset |
//! | `no_proxy`, `NO_PROXY` | hosts reached directly: `*`, names (`example.com` and its subdomains), IP addresses, CIDR ranges (`10.0.0.0/8`) |
//!
//! An empty variable counts as unset, as in curl. `HTTP_PROXY` in upper case is not read
//! when `REQUEST_METHOD` is set: under CGI, a client's `Proxy:` header becomes it
//! ("httpoxy").

use std::net::IpAddr;

use reqwest::Url;

use crate::BuildError;

/// A lookup of environment variables: `std::env::var` in production, a map in tests.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The proxies the environment asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Proxies {
    http: Option<Url>,
    https: Option<Url>,
    no_proxy: NoProxy,
}

impl Proxies {
    /// The proxies of `lookup`'s environment; an error names a variable that is set but
    /// is not a proxy URL (its value is not shown: it may hold a password).
    pub fn from_env(lookup: EnvLookup<'_>) -> Result<Proxies, BuildError> {
        let read = |names: &[&'static str]| -> Result<Option<Url>, BuildError> {
            for name in names {
                if let Some(value) = lookup(name).filter(|v| !v.trim().is_empty()) {
                    return proxy_url(&value).map(Some).map_err(|reason| {
                        BuildError::InvalidProxy {
                            variable: name,
                            reason,
                        }
                    });
                }
            }
            Ok(None)
        };
        let cgi = lookup("REQUEST_METHOD").is_some();
        let all = read(&["all_proxy", "ALL_PROXY"])?;
        let http = match cgi {
            true => read(&["http_proxy"])?,
            false => read(&["http_proxy", "HTTP_PROXY"])?,
        };
        let https = read(&["https_proxy", "HTTPS_PROXY"])?;
        let no_proxy = ["no_proxy", "NO_PROXY"]
            .iter()
            .find_map(|name| lookup(name))
            .map(|list| NoProxy::parse(&list))
            .unwrap_or_default();
        Ok(Proxies {
            http: http.or_else(|| all.clone()),
            https: https.or(all),
            no_proxy,
        })
    }

    /// Whether any proxy is set.
    pub fn any(&self) -> bool {
        self.http.is_some() || self.https.is_some()
    }

    /// The proxy for `url`, or `None` to reach it directly.
    pub fn for_url(&self, url: &Url) -> Option<Url> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        match url.host_str() {
            Some(host) if self.no_proxy.bypasses(host) => None,
            _ => Some(proxy.clone()),
        }
    }
}

/// A proxy URL: `http://` or `https://`, with a host; `host:port` alone is `http://`, as
/// curl reads it.
fn proxy_url(value: &str) -> Result<Url, String> {
    let value = value.trim();
    let with_scheme = match value.contains("://") {
        true => value.to_owned(),
        false => format!("http://{value}"),
    };
    let url = Url::parse(&with_scheme).map_err(|e| format!("not a proxy URL ({e})"))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "the scheme `{other}` is not supported: http:// or https://"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("not a proxy URL (no host)".to_owned());
    }
    Ok(url)
}

/// The hosts reached without a proxy.
#[derive(Clone, Debug, Default, PartialEq)]
struct NoProxy {
    everything: bool,
    names: Vec<String>,
    ranges: Vec<(IpAddr, u8)>,
}

impl NoProxy {
    fn parse(list: &str) -> NoProxy {
        let mut rules = NoProxy::default();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                rules.everything = true;
                continue;
            }
            let (address, bits) = match entry.split_once('/') {
                Some((address, bits)) => (address, bits.parse::<u8>().ok()),
                None => (entry, None),
            };
            let address = address.trim_start_matches('[').trim_end_matches(']');
            match address.parse::<IpAddr>() {
                Ok(ip) => {
                    let full = if ip.is_ipv4() { 32 } else { 128 };
                    rules.ranges.push((ip, bits.unwrap_or(full).min(full)));
                }
                // A name, without a leading dot or a port.
                Err(_) => {
                    let name = entry.trim_start_matches('.');
                    let name = name.split(':').next().unwrap_or(name);
                    rules.names.push(name.to_ascii_lowercase());
                }
            }
        }
        rules
    }

    /// Whether `host` (a URL's, IPv6 in brackets) is reached directly.
    fn bypasses(&self, host: &str) -> bool {
        if self.everything {
            return true;
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return self
                .ranges
                .iter()
                .any(|(net, bits)| within(ip, *net, *bits));
        }
        let name = host.to_ascii_lowercase();
        self.names.iter().any(|rule| {
            name == *rule
                || name
                    .strip_suffix(rule.as_str())
                    .is_some_and(|head| head.ends_with('.'))
        })
    }
}

/// Whether `ip` is in the range `net/bits`.
fn within(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (ip, net, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let shift = width - u32::from(bits);
    if shift >= 128 {
        return true;
    }
    (ip >> shift) == (net >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn proxied(pairs: &[(&str, &str)], url: &str) -> Option<String> {
        let lookup = env(pairs);
        let proxies = Proxies::from_env(&lookup).unwrap();
        proxies
            .for_url(&Url::parse(url).unwrap())
            .map(|u| u.to_string())
    }

    #[test]
    fn d9_no_proxy_star_bypasses_ip_addresses_too() {
        let set = [
            ("HTTPS_PROXY", "http://proxy.example:3128"),
            ("NO_PROXY", "*"),
        ];
        assert_eq!(proxied(&set, "https://203.0.113.7/api"), None);
        assert_eq!(proxied(&set, "https://[2001:db8::1]/api"), None);
        assert_eq!(proxied(&set, "https://gateway.example/api"), None);
    }

    #[test]
    fn no_proxy_takes_names_addresses_and_ranges() {
        let set = [
            ("https_proxy", "proxy.example:3128"),
            (
                "no_proxy",
                " .internal.example, 10.0.0.0/8,192.0.2.5, [2001:db8::]/32,api.example:443",
            ),
        ];
        let proxy = Some("http://proxy.example:3128/".to_owned());
        assert_eq!(proxied(&set, "https://a.internal.example/"), None);
        assert_eq!(proxied(&set, "https://internal.example/"), None);
        assert_eq!(proxied(&set, "https://notinternal.example/"), proxy);
        assert_eq!(proxied(&set, "https://10.20.30.40/"), None);
        assert_eq!(proxied(&set, "https://11.0.0.1/"), proxy);
        assert_eq!(proxied(&set, "https://192.0.2.5/"), None);
        assert_eq!(proxied(&set, "https://192.0.2.6/"), proxy);
        assert_eq!(proxied(&set, "https://[2001:db8:1::9]/"), None);
        assert_eq!(proxied(&set, "https://API.example/"), None);
        // http:// URLs have no proxy here.
        assert_eq!(proxied(&set, "http://elsewhere.example/"), None);
    }

    #[test]
    fn each_scheme_has_its_variable_and_all_proxy_the_rest() {
        let set = [
            ("ALL_PROXY", "http://all:8080"),
            ("http_proxy", "http://plain:8080"),
        ];
        assert_eq!(
            proxied(&set, "https://x.example/"),
            Some("http://all:8080/".to_owned())
        );
        assert_eq!(
            proxied(&set, "http://x.example/"),
            Some("http://plain:8080/".to_owned())
        );
        // Under CGI, HTTP_PROXY may come from a client's header: not read.
        let cgi = [
            ("HTTP_PROXY", "http://evil:8080"),
            ("REQUEST_METHOD", "GET"),
        ];
        assert_eq!(proxied(&cgi, "http://x.example/"), None);
        // Empty is unset.
        assert_eq!(proxied(&[("HTTPS_PROXY", " ")], "https://x.example/"), None);
    }

    #[test]
    fn d9_a_malformed_variable_is_refused_by_name_without_its_value() {
        for (value, reason) in [
            (
                "http://user:pa ss@[bad",
                "not a proxy URL (invalid IPv6 address)",
            ),
            (
                "socks5://user:secret@proxy:1080",
                "the scheme `socks5` is not supported: http:// or https://",
            ),
        ] {
            let lookup = env(&[("HTTPS_PROXY", value)]);
            let error = Proxies::from_env(&lookup).unwrap_err().to_string();
            assert_eq!(
                error,
                format!("the proxy variable HTTPS_PROXY is not usable: {reason}")
            );
            assert!(!error.contains("secret") && !error.contains("pa ss"));
        }
    }
}
