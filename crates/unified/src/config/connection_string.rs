//! Connection strings: `PROVIDER[+http]://[CREDENTIALS@]HOST[:PORT][/BASE][/INSTANCE]`, read
//! and written in each provider's own forms from the catalog (`name://ID:TOKEN@HOST[/BASE]`,
//! `name://TOKEN@HOST[/BASE]/INSTANCE`, ...). A form's
//! placeholders before `@` are the instance's (when it is the instance placeholder) or a
//! credential; the placeholder after the host, if any, is the instance. Where the vendor
//! knows the instance by a credential and the call names none, `#LABEL` at the end labels
//! it (by default, the host).

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use wa_providers::{ConnectionForm, ProviderInfo};

use super::InstanceConfig;
use crate::error::Error;
use crate::Provider;

/// A percent-decoded part of a connection string, or `None` when its bytes are not UTF-8
/// (a credential is never silently changed into U+FFFD).
pub(crate) fn decode(text: &str) -> Option<String> {
    percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// The longest host an error quotes, in characters.
const SHOWN_HOST_CHARS: usize = 100;

/// What an error may show of a connection string, whatever its shape: the scheme when it
/// looks like one, `***` for any credentials, the host when it follows credentials and
/// looks like a host name (dotted labels, `localhost`, an IP address, a port), and `/…` for
/// a path; nothing of a string without `://`. A token written where a host or an instance
/// goes, run into the host for want of `@`, or with `%40` for `@`, is never shown.
pub(crate) fn redacted(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return format!("({} characters)", text.chars().count());
    };
    let scheme_like = !scheme.is_empty()
        && scheme.len() <= 40
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let scheme = if scheme_like { scheme } else { "?" };
    let (userinfo, location) = match rest.rsplit_once('@') {
        Some((_, location)) => ("***@", location),
        None => ("", rest),
    };
    let host = location.split(['/', '?', '#']).next().unwrap_or_default();
    let host_like = !userinfo.is_empty() && host.chars().count() <= SHOWN_HOST_CHARS && {
        let name = match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        };
        let labels_ok = name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        name == "localhost"
            || (name.starts_with('[') && name.ends_with(']'))
            || (name.contains('.') && labels_ok)
    };
    let more = if location.len() > host.len() {
        "/…"
    } else {
        ""
    };
    let host = if host_like { host } else { "***" };
    format!("{scheme}://{userinfo}{host}{more}")
}

/// The provider's forms, for error messages: `a or b`.
fn expected(info: &ProviderInfo) -> String {
    let forms: Vec<&str> = info.connection_strings.iter().map(|f| f.text).collect();
    forms.join(" or ")
}

pub(crate) fn parse(text: &str) -> Result<InstanceConfig, Error> {
    let text = text.trim();
    let shown = redacted(text);
    let fail = |provider: Option<Provider>, problem: String| {
        Error::invalid_config(provider, format!("connection string `{shown}`: {problem}"))
    };
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| fail(None, "no scheme: expected PROVIDER://...".into()))?;
    let (name, http_scheme) = match scheme.strip_suffix("+http") {
        Some(name) => (name, "http"),
        None => (scheme.strip_suffix("+https").unwrap_or(scheme), "https"),
    };
    if matches!(name.to_ascii_lowercase().as_str(), "http" | "https") {
        // A URL where a connection string belongs: the provider is the scheme.
        return Err(fail(
            None,
            format!(
                "a connection string starts with the provider, not `{name}`: PROVIDER://CREDENTIALS@HOST[/BASE]/..., with `+http` after the provider for plain HTTP (`--help` lists each provider's form)"
            ),
        ));
    }
    let provider: Provider = name
        .parse()
        .map_err(|e: wa_providers::UnknownProvider| fail(None, e.to_string()))?;
    let info = provider.info();
    let fail = |problem: String| {
        fail(
            Some(provider),
            format!("{problem}: expected {}", expected(info)),
        )
    };
    let not_utf8 = |what: &str| fail(format!("{what} is not UTF-8 once percent-decoded"));
    let (userinfo, location) = match rest.rsplit_once('@') {
        Some((userinfo, location)) => (Some(userinfo), location),
        None => (None, rest),
    };
    if userinfo == Some("") {
        return Err(fail("the credentials are empty".into()));
    }
    let (form, parts) = choose_form(info, userinfo).ok_or_else(|| match userinfo {
        None => fail("the credentials are missing".into()),
        Some(_) => {
            let shapes: Vec<String> = info
                .connection_strings
                .iter()
                .filter(|f| !f.userinfo.is_empty())
                .map(|f| f.userinfo.join(":"))
                .collect();
            fail(format!("the credentials must be {}", shapes.join(" or ")))
        }
    })?;
    // `#LABEL` names an instance the vendor knows by a credential, which the call does not.
    let (location, label) = match location.split_once('#') {
        Some((location, label)) => (location, Some(label)),
        None => (location, None),
    };
    if label.is_some() && info.instance.named_by.is_none() {
        return Err(fail(
            "`#LABEL` names an instance only where the provider knows it by a credential".into(),
        ));
    }
    let (location, query) = match location.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (location, None),
    };
    let mut pieces = location.split('/');
    let host = pieces.next().unwrap_or_default();
    if host.is_empty() {
        return Err(fail("the host is missing".into()));
    }
    if host.contains(['#', ' ', '%']) || host.chars().any(char::is_control) {
        return Err(fail("the host is not valid".into()));
    }
    let mut segments: Vec<&str> = pieces.filter(|segment| !segment.is_empty()).collect();
    let mut builder = InstanceConfig::builder(provider);
    if form.tail.is_some() {
        let last = segments
            .pop()
            .ok_or_else(|| fail("the instance is missing after the host".into()))?;
        builder = builder.with_instance(decode(last).ok_or_else(|| not_utf8("the instance"))?);
    }
    let mut base_url = format!("{http_scheme}://{host}");
    for segment in segments {
        base_url.push('/');
        base_url.push_str(segment);
    }
    builder = builder.with_base_url(base_url);
    if let Some(label) = label {
        builder = builder.with_instance(decode(label).ok_or_else(|| not_utf8("the label"))?);
    }
    for (placeholder, value) in form.userinfo.iter().zip(parts) {
        if info.instance.is_placeholder(placeholder) {
            builder = builder.with_instance(decode(value).ok_or_else(|| not_utf8("the instance"))?);
        } else if let Some(credential) = info.auth.by_placeholder(placeholder) {
            let secret = decode(value).ok_or_else(|| not_utf8("a credential"))?;
            builder = builder.with_credential(credential.key, secret);
        }
    }
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (decode(name), decode(value)) else {
            return Err(not_utf8("an option"));
        };
        builder = builder.with_option(name, value);
    }
    builder.build()
}

/// The form whose placeholders fit the userinfo's parts (all of its required ones, and as
/// many of its optional ones as are given), with the userinfo's parts. A form of one
/// placeholder takes the whole userinfo, `:` included, when no form fits its parts.
fn choose_form<'a>(
    info: &'static ProviderInfo,
    userinfo: Option<&'a str>,
) -> Option<(&'static ConnectionForm, Vec<&'a str>)> {
    let forms = info.connection_strings;
    let most = forms
        .iter()
        .map(|f| f.userinfo.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let parts: Vec<&str> = match userinfo {
        None => Vec::new(),
        Some(userinfo) => userinfo.splitn(most, ':').collect(),
    };
    let fits = |form: &ConnectionForm| {
        let required = form.userinfo.len() - form.optional.len();
        (required..=form.userinfo.len()).contains(&parts.len())
    };
    if let Some(form) = forms.iter().find(|f| fits(f)) {
        return Some((form, parts));
    }
    let whole = userinfo?;
    forms
        .iter()
        .find(|f| f.userinfo.len() == 1)
        .map(|form| (form, vec![whole]))
}

/// Renders a config as its connection string: the instance where its form has it, every
/// credential as one `***`.
pub(crate) fn render(config: &InstanceConfig) -> String {
    let info = config.provider().info();
    let given = config.credentials();
    // The form whose placeholders are the credentials given.
    let form = info
        .connection_strings
        .iter()
        .find(|f| {
            let credentials: Vec<&&str> = f
                .userinfo
                .iter()
                .filter(|p| !info.instance.is_placeholder(p))
                .collect();
            let present = credentials
                .iter()
                .filter(|p| {
                    info.auth
                        .by_placeholder(p)
                        .is_some_and(|c| given.get(c.key).is_some())
                })
                .count();
            present == given.keys().count() && credentials.len() - f.optional.len() <= present
        })
        .or(info.connection_strings.first());
    let (scheme, host_and_path) = match config.base_url().split_once("://") {
        Some(("http", rest)) => (format!("{}+http", info.name), rest),
        Some((_, rest)) => (info.name.to_owned(), rest),
        None => (info.name.to_owned(), config.base_url()),
    };
    let mut userinfo: Vec<&str> = Vec::new();
    let mut tail = "";
    if let Some(form) = form {
        for placeholder in form.userinfo {
            let part = if info.instance.is_placeholder(placeholder) {
                config.instance()
            } else if info
                .auth
                .by_placeholder(placeholder)
                .is_some_and(|c| given.get(c.key).is_some())
            {
                "***"
            } else {
                continue;
            };
            if !(part == "***" && userinfo.last() == Some(&"***")) {
                userinfo.push(part);
            }
        }
        if form.tail.is_some() {
            tail = config.instance();
        }
    }
    let mut text = format!("{scheme}://");
    if !userinfo.is_empty() {
        text.push_str(&userinfo.join(":"));
        text.push('@');
    }
    text.push_str(host_and_path);
    if !tail.is_empty() {
        text.push('/');
        text.push_str(tail);
    }
    // Options that differ from their default, as a query.
    let changed: Vec<String> = info
        .options
        .iter()
        .filter_map(|o| {
            let value = config.option(o.name)?;
            (value != o.default).then(|| format!("{}={value}", o.name))
        })
        .collect();
    if !changed.is_empty() {
        text.push('?');
        text.push_str(&changed.join("&"));
    }
    // The label of an instance the vendor knows by a credential, unless it is the default.
    if info.instance.named_by.is_some() && config.instance() != super::host_of(config.base_url()) {
        text.push('#');
        text.push_str(&utf8_percent_encode(config.instance(), LABEL).to_string());
    }
    text
}

/// What a label must escape in a connection string.
const LABEL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_shows_the_scheme_and_a_plausible_host_only() {
        assert_eq!(
            redacted("scheme://a:b@api.example.com/VZ1"),
            "scheme://***@api.example.com/…"
        );
        assert_eq!(
            redacted("scheme://u@localhost:8080"),
            "scheme://***@localhost:8080"
        );
        // Without `@`, or with a token after it, the host part is not shown.
        assert_eq!(redacted("scheme://api.example.com:8080"), "scheme://***");
        assert_eq!(
            redacted("scheme://api.example.com@tok3n/x"),
            "scheme://***@***/…"
        );
        // No `://`: nothing of it.
        assert_eq!(redacted("gateway:tok-secret@host"), "(23 characters)");
        // `%40` for `@`, a token where the host goes, a hostile scheme.
        assert_eq!(redacted("gateway://tok-secret%40host/x"), "gateway://***/…");
        assert_eq!(redacted("x y z://secret@h.example"), "?://***@h.example");
        let long = format!("gateway://{}", "a".repeat(1_000_000));
        assert_eq!(redacted(&long), "gateway://***");
    }

    #[test]
    fn errors_without_a_provider_say_which_part_is_wrong_without_the_secret() {
        let message = |s: &str| parse(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message("app.example.com/x"),
            "invalid_config: connection string `(17 characters)`: no scheme: expected PROVIDER://..."
        );
        assert_eq!(
            message("no-such-gateway://secret@host/x"),
            format!(
                "invalid_config: connection string `no-such-gateway://***@***/…`: unknown provider `no-such-gateway`: expected {}",
                Provider::names_sentence()
            )
        );
    }
}
