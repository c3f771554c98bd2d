//! Connection strings: `PROVIDER[+http]://CREDENTIALS@HOST[:PORT][/BASE]/INSTANCE`.

use percent_encoding::percent_decode_str;

use crate::error::Error;
use crate::model::Provider;

/// A connection string taken apart, credentials still raw.
pub(crate) struct Parts {
    pub provider: Provider,
    /// `http` or `https` (the default; `+http` after the scheme asks for plain HTTP).
    pub http_scheme: &'static str,
    /// The text before `@`; it holds secrets and is never printed.
    pub userinfo: String,
    pub host: String,
    /// The path segments after the host, percent-encoding kept.
    pub segments: Vec<String>,
}

impl Parts {
    /// `scheme://host[/segments...]` from the first `keep` segments.
    pub fn base_url(&self, keep: usize) -> String {
        let mut url = format!("{}://{}", self.http_scheme, self.host);
        for segment in &self.segments[..keep.min(self.segments.len())] {
            url.push('/');
            url.push_str(segment);
        }
        url
    }

    /// The userinfo split at its first `:`, both halves percent-decoded.
    pub fn credential_pair(&self) -> Option<(String, String)> {
        let (first, second) = self.userinfo.split_once(':')?;
        Some((decode(first), decode(second)))
    }

    /// The whole userinfo, percent-decoded.
    pub fn credential(&self) -> String {
        decode(&self.userinfo)
    }
}

pub(crate) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// The form of each provider's connection string, for error messages.
pub(crate) fn form(provider: Provider) -> &'static str {
    match provider {
        Provider::MegaApi => "megaapi://TOKEN@HOST[/BASE]/INSTANCE_KEY",
        Provider::Vzaps => {
            "vzaps://TOKEN@HOST[/BASE]/ID or vzaps://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID"
        }
        Provider::Hypersender => "hypersender://TOKEN@HOST[/BASE]/INSTANCE",
        Provider::GreenApi => "green-api://ID_INSTANCE:API_TOKEN@HOST[/BASE]",
    }
}

/// A connection string with its credentials replaced by `***`, safe to print.
pub(crate) fn redacted(text: &str) -> String {
    match (text.find("://"), text.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &text[..scheme_end + 3], &text[at..])
        }
        _ => text.to_owned(),
    }
}

pub(crate) fn parse(text: &str) -> Result<Parts, Error> {
    let shown = redacted(text.trim());
    let fail = |provider: Option<Provider>, problem: String| {
        Error::invalid_config(provider, format!("connection string `{shown}`: {problem}"))
    };
    let text = text.trim();
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| fail(None, "no scheme: expected PROVIDER://...".into()))?;
    let (name, http_scheme) = match scheme.strip_suffix("+http") {
        Some(name) => (name, "http"),
        None => (scheme.strip_suffix("+https").unwrap_or(scheme), "https"),
    };
    let provider: Provider = name.parse().map_err(|_| {
        fail(
            None,
            format!("unknown provider `{name}`: expected megaapi, vzaps, hypersender or green-api"),
        )
    })?;
    let (userinfo, location) = rest.rsplit_once('@').ok_or_else(|| {
        fail(
            Some(provider),
            format!("the credentials are missing: expected {}", form(provider)),
        )
    })?;
    if userinfo.is_empty() {
        return Err(fail(
            Some(provider),
            format!("the credentials are empty: expected {}", form(provider)),
        ));
    }
    let mut pieces = location.split('/');
    let host = pieces.next().unwrap_or_default().to_owned();
    if host.is_empty() {
        return Err(fail(
            Some(provider),
            format!("the host is missing: expected {}", form(provider)),
        ));
    }
    if host.contains(['?', '#', ' ']) {
        return Err(fail(
            Some(provider),
            format!("the host `{host}` is not valid"),
        ));
    }
    let segments: Vec<String> = pieces
        .filter(|segment| !segment.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Parts {
        provider,
        http_scheme,
        userinfo: userinfo.to_owned(),
        host,
        segments,
    })
}

/// The instance (the last segment, decoded) and the base URL (the rest) of a path-style
/// connection string.
pub(crate) fn base_and_instance(parts: &Parts, shown: &str) -> Result<(String, String), Error> {
    let Some(last) = parts.segments.last() else {
        return Err(Error::invalid_config(
            Some(parts.provider),
            format!(
                "connection string `{shown}`: the instance is missing after the host: expected {}",
                form(parts.provider)
            ),
        ));
    };
    Ok((parts.base_url(parts.segments.len() - 1), decode(last)))
}

/// Renders a connection string for printing: credentials `***`.
pub(crate) fn render(provider: Provider, base_url: &str, instance: Option<&str>) -> String {
    let (scheme, host_and_path) = match base_url.split_once("://") {
        Some(("http", rest)) => (format!("{}+http", provider.name()), rest),
        Some((_, rest)) => (provider.name().to_owned(), rest),
        None => (provider.name().to_owned(), base_url),
    };
    match instance {
        Some(instance) => format!("{scheme}://***@{host_and_path}/{instance}"),
        None => format!("{scheme}://***@{host_and_path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_everything_before_the_last_at() {
        assert_eq!(
            redacted("vzaps://a:b@api.vzaps.com/VZ1"),
            "vzaps://***@api.vzaps.com/VZ1"
        );
        assert_eq!(redacted("not a url"), "not a url");
    }

    #[test]
    fn errors_say_which_part_is_wrong_without_the_secret() {
        let message = |s: &str| parse(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message("app.hypersender.com/x"),
            "invalid configuration: connection string `app.hypersender.com/x`: no scheme: expected PROVIDER://..."
        );
        assert_eq!(
            message("waha://secret@host/x"),
            "invalid configuration: connection string `waha://***@host/x`: unknown provider `waha`: expected megaapi, vzaps, hypersender or green-api"
        );
        assert_eq!(
            message("hypersender://host/x"),
            "hypersender: invalid configuration: connection string `hypersender://host/x`: the credentials are missing: expected hypersender://TOKEN@HOST[/BASE]/INSTANCE"
        );
        assert_eq!(
            message("megaapi://secret@/k"),
            "megaapi: invalid configuration: connection string `megaapi://***@/k`: the host is missing: expected megaapi://TOKEN@HOST[/BASE]/INSTANCE_KEY"
        );
    }

    #[test]
    fn rendering_marks_plain_http() {
        assert_eq!(
            render(Provider::GreenApi, "http://127.0.0.1:8080/green-api", None),
            "green-api+http://***@127.0.0.1:8080/green-api"
        );
        assert_eq!(
            render(
                Provider::MegaApi,
                "https://api2.megaapi.com.br",
                Some("megastart-1")
            ),
            "megaapi://***@api2.megaapi.com.br/megastart-1"
        );
    }
}
