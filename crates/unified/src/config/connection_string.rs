//! Connection strings: `PROVIDER[+http]://[CREDENTIALS@]HOST[:PORT][/BASE][/INSTANCE]`, read
//! and written in each provider's own forms from the catalog (`name://ID:TOKEN@HOST[/BASE]`,
//! `name://TOKEN@HOST[/BASE]/INSTANCE`, ...). A form's
//! placeholders before `@` are the instance's (when it is the instance placeholder) or a
//! credential; the placeholder after the host, if any, is the instance.

use percent_encoding::percent_decode_str;
use wa_providers::{ConnectionForm, ProviderInfo};

use super::InstanceConfig;
use crate::error::Error;
use crate::Provider;

pub(crate) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
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
    let (location, query) = match location.split_once('?') {
        Some((location, query)) => (location, Some(query)),
        None => (location, None),
    };
    let mut pieces = location.split('/');
    let host = pieces.next().unwrap_or_default();
    if host.is_empty() {
        return Err(fail("the host is missing".into()));
    }
    if host.contains(['#', ' ']) {
        return Err(fail(format!("the host `{host}` is not valid")));
    }
    let mut segments: Vec<&str> = pieces.filter(|segment| !segment.is_empty()).collect();
    let mut builder = InstanceConfig::builder(provider);
    if form.tail.is_some() {
        let last = segments
            .pop()
            .ok_or_else(|| fail("the instance is missing after the host".into()))?;
        builder = builder.with_instance(decode(last));
    }
    let mut base_url = format!("{http_scheme}://{host}");
    for segment in segments {
        base_url.push('/');
        base_url.push_str(segment);
    }
    builder = builder.with_base_url(base_url);
    let mut credentials = Vec::new();
    for (placeholder, value) in form.userinfo.iter().zip(parts) {
        if *placeholder == info.instance.placeholder {
            builder = builder.with_instance(decode(value));
        } else {
            credentials.push(decode(value));
        }
    }
    builder = match <[String; 2]>::try_from(credentials) {
        Ok([first, second]) => builder.with_token_pair(first, second),
        Err(mut single) => match single.pop() {
            Some(token) => builder.with_token(token),
            None => builder,
        },
    };
    for pair in query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        builder = builder.with_option(decode(name), decode(value));
    }
    builder.build()
}

/// The form whose credentials match the userinfo's shape, with the userinfo's parts. A
/// single-credential form takes the whole userinfo, `:` included, when no form has two
/// parts.
fn choose_form<'a>(
    info: &'static ProviderInfo,
    userinfo: Option<&'a str>,
) -> Option<(&'static ConnectionForm, Vec<&'a str>)> {
    let parts: Vec<&str> = match userinfo {
        None => Vec::new(),
        Some(userinfo) => userinfo.splitn(2, ':').collect(),
    };
    let forms = info.connection_strings;
    if let Some(form) = forms.iter().find(|f| f.userinfo.len() == parts.len()) {
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
    let credentials = config.secrets().len();
    let form = info
        .connection_strings
        .iter()
        .find(|f| {
            f.userinfo
                .iter()
                .filter(|p| **p != info.instance.placeholder)
                .count()
                == credentials
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
            let part = if *placeholder == info.instance.placeholder {
                config.instance()
            } else {
                "***"
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
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_everything_before_the_last_at() {
        assert_eq!(
            redacted("scheme://a:b@api.example.com/VZ1"),
            "scheme://***@api.example.com/VZ1"
        );
        assert_eq!(redacted("not a url"), "not a url");
    }

    #[test]
    fn errors_without_a_provider_say_which_part_is_wrong_without_the_secret() {
        let message = |s: &str| parse(s).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message("app.example.com/x"),
            "invalid_config: connection string `app.example.com/x`: no scheme: expected PROVIDER://..."
        );
        assert_eq!(
            message("no-such-gateway://secret@host/x"),
            format!(
                "invalid_config: connection string `no-such-gateway://***@host/x`: unknown provider `no-such-gateway`: expected {}",
                Provider::names_sentence()
            )
        );
    }
}
