//! A provider's folder, read and checked: `specs/<provider>/provider.toml` (the manifest)
//! and `specs/<provider>/responses/*.toml` (the recorded responses). Everything the
//! registry, the docs tables and the tests know about a provider comes from here.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;
use wa_model::{ConnectionState, ErrorKind, RequiredAction};

/// `specs/<provider>/provider.toml`. specs/README.md documents every key.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub hosting: String,
    pub summary: String,
    pub docs: Vec<String>,
    /// Where `openapi.yaml` comes from, in words.
    pub source: String,
    /// The shared vendor page whose OpenAPI block `openapi.yaml` is, byte for byte.
    #[serde(default)]
    pub source_page: Option<String>,
    pub connection_strings: Vec<String>,
    #[serde(default)]
    pub fleet_aliases: BTreeMap<String, String>,
    pub base_url: BaseUrl,
    pub instance: Instance,
    pub auth: Auth,
    #[serde(default)]
    pub quota: Option<Quota>,
    pub status: Status,
    #[serde(default)]
    pub errors: Errors,
    #[serde(default, rename = "option")]
    pub options: Vec<OptionSpec>,
    pub simulator: Simulator,
    #[serde(default)]
    pub demo: Vec<Demo>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseUrl {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default = "base_url_noun")]
    pub noun: String,
    pub env: String,
}

fn base_url_noun() -> String {
    "base URL".into()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub placeholder: String,
    pub noun: String,
    pub parameter: String,
    #[serde(default)]
    pub digits: Option<u8>,
    pub env: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub style: String,
    #[serde(default = "token_noun")]
    pub noun: String,
    pub env: String,
    /// `bearer-or-header-pair`: the two headers.
    #[serde(default)]
    pub headers: Option<[String; 2]>,
    /// `bearer-or-header-pair`: their environment variables.
    #[serde(default)]
    pub pair_env: Option<[String; 2]>,
    /// `api-key-header`: the header.
    #[serde(default)]
    pub header: Option<String>,
    /// `api-key-header`: whether a server may run without a key.
    #[serde(default)]
    pub optional: bool,
    /// `path-token`: the status call's parameter that carries the token.
    #[serde(default)]
    pub parameter: Option<String>,
}

fn token_noun() -> String {
    "token".into()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub requests: u32,
    pub per_seconds: u64,
    pub per: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub operation: String,
}

/// How the provider's errors read, where it differs from the status model's defaults.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Errors {
    /// HTTP statuses and the kind each means for this provider.
    #[serde(default)]
    pub statuses: BTreeMap<u16, String>,
    /// A JSON pointer to the vendor's own error code in an error body (`/error/code`).
    #[serde(default)]
    pub code: Option<String>,
    /// Vendor error codes and the kind each means; they decide before the HTTP status.
    #[serde(default)]
    pub codes: BTreeMap<i64, String>,
    /// A JSON pointer to a boolean that makes an error temporary (`/error/is_transient`).
    #[serde(default)]
    pub transient: Option<String>,
    /// JSON pointers to the vendor's words, tried before the usual places.
    #[serde(default)]
    pub messages: Vec<String>,
}

/// A provider option: a value the status call needs besides the instance and credentials.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    /// Its name in connection strings (`?name=value`) and fleet files.
    pub name: String,
    /// The status call's path parameter it fills.
    pub parameter: String,
    pub describe: String,
    pub env: String,
    /// Its default; with `document_version`, the normalized document's `info.version`.
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub document_version: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Simulator {
    pub base_path: String,
    #[serde(default)]
    pub recorded_instance: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demo {
    pub instance: String,
    pub response: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub token_pair: Option<[String; 2]>,
}

/// `specs/<provider>/responses/<name>.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordingFile {
    pub describe: String,
    pub source: String,
    #[serde(default)]
    pub inferred: bool,
    #[serde(default)]
    pub serves: Option<String>,
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub expect: Expected,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub state: Option<String>,
    pub raw_state: Option<String>,
    pub action: Option<String>,
    pub phone: Option<String>,
    pub jid: Option<String>,
    pub display_name: Option<String>,
    pub business_name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub connected_at: Option<String>,
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    pub error: Option<String>,
    pub retry_after: Option<u64>,
    pub message: Option<String>,
    pub temporary: Option<bool>,
}

/// A recording with its name, checked.
#[derive(Clone, Debug)]
pub struct Recording {
    pub name: String,
    pub file: RecordingFile,
}

/// A connection-string form taken apart: `SCHEME://[A[:B]@]HOST[/BASE][/TAIL]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub text: String,
    pub userinfo: Vec<String>,
    pub tail: Option<String>,
}

/// Reads and checks one provider's folder.
pub fn load(folder: &Path) -> Result<(Manifest, Vec<Recording>), String> {
    let shown = folder.display();
    let path = folder.join("provider.toml");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let manifest: Manifest =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let folder_name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if manifest.name != folder_name {
        return Err(format!(
            "{shown}/provider.toml: `name` is `{}` but the folder is `{folder_name}`: they must be the same",
            manifest.name
        ));
    }
    let mut recordings = Vec::new();
    let responses = folder.join("responses");
    let mut entries: Vec<_> = fs::read_dir(&responses)
        .map_err(|e| format!("cannot read {}: {e}", responses.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: RecordingFile =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        check_recording(&file).map_err(|e| format!("{}: {e}", path.display()))?;
        recordings.push(Recording { name, file });
    }
    check_manifest(&manifest, &recordings).map_err(|e| format!("{shown}/provider.toml: {e}"))?;
    Ok((manifest, recordings))
}

fn check_recording(file: &RecordingFile) -> Result<(), String> {
    if let Some(role) = &file.serves {
        role_name(role)?;
    }
    let e = &file.expect;
    match (&e.state, &e.error) {
        (Some(state), None) => {
            let state: ConnectionState = state.parse().map_err(|e| format!("[expect] {e}"))?;
            if e.raw_state.is_none() {
                return Err("[expect] a reading needs its `raw_state`".into());
            }
            match (&e.action, state) {
                (Some(_), ConnectionState::Unknown) => {
                    return Err("[expect] an `unknown` reading has no `action`".into())
                }
                (None, ConnectionState::Unknown) => {}
                (None, _) => return Err("[expect] a reading needs its `action`".into()),
                (Some(action), _) => {
                    action
                        .parse::<RequiredAction>()
                        .map_err(|e| format!("[expect] {e}"))?;
                }
            }
            if e.retry_after.is_some() || e.message.is_some() || e.temporary.is_some() {
                return Err(
                    "[expect] `retry_after`, `message` and `temporary` go with an `error`".into(),
                );
            }
        }
        (None, Some(kind)) => {
            kind.parse::<ErrorKind>()
                .map_err(|e| format!("[expect] {e}"))?;
            let reading_fields = [
                &e.raw_state,
                &e.action,
                &e.phone,
                &e.jid,
                &e.display_name,
                &e.business_name,
                &e.profile_picture_url,
                &e.connected_at,
            ];
            if reading_fields.iter().any(|f| f.is_some()) || !e.details.is_empty() {
                return Err("[expect] an `error` has no reading fields".into());
            }
        }
        _ => return Err("[expect] needs either a `state` or an `error`".into()),
    }
    Ok(())
}

/// The simulator roles a recording may serve.
pub fn role_name(role: &str) -> Result<&'static str, String> {
    match role {
        "unauthenticated" => Ok("Unauthenticated"),
        "unknown_instance" => Ok("UnknownInstance"),
        "rate_limited" => Ok("RateLimited"),
        other => Err(format!(
            "`serves = \"{other}\"` is not a role: expected unauthenticated, unknown_instance or rate_limited"
        )),
    }
}

/// The auth styles `wa-client-support` implements.
pub const AUTH_STYLES: [&str; 4] = [
    "bearer",
    "bearer-or-header-pair",
    "api-key-header",
    "path-token",
];

fn check_manifest(m: &Manifest, recordings: &[Recording]) -> Result<(), String> {
    let wire = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !wire(&m.name) {
        return Err(format!(
            "`name = \"{}\"`: a wire name is lowercase letters, digits and `-`",
            m.name
        ));
    }
    if !m.type_name.starts_with(|c: char| c.is_ascii_uppercase())
        || !m.type_name.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(format!(
            "`type = \"{}\"`: a type name is CamelCase letters and digits",
            m.type_name
        ));
    }
    if !["hosted", "self-hosted", "official"].contains(&m.hosting.as_str()) {
        return Err(format!(
            "`hosting = \"{}\"`: expected hosted, self-hosted or official",
            m.hosting
        ));
    }
    if !AUTH_STYLES.contains(&m.auth.style.as_str()) {
        return Err(format!(
            "[auth] `style = \"{}\"`: expected one of {}",
            m.auth.style,
            AUTH_STYLES.join(", ")
        ));
    }
    match m.auth.style.as_str() {
        "bearer-or-header-pair" if m.auth.headers.is_none() || m.auth.pair_env.is_none() => {
            return Err("[auth] `bearer-or-header-pair` needs `headers` and `pair_env`".into())
        }
        "api-key-header" if m.auth.header.is_none() => {
            return Err("[auth] `api-key-header` needs `header`".into())
        }
        "path-token" if m.auth.parameter.is_none() => {
            return Err("[auth] `path-token` needs `parameter`".into())
        }
        _ => {}
    }
    if let Some(quota) = &m.quota {
        if !["token", "instance"].contains(&quota.per.as_str()) {
            return Err(format!(
                "[quota] `per = \"{}\"`: expected token or instance",
                quota.per
            ));
        }
        if quota.requests == 0 || quota.per_seconds == 0 {
            return Err("[quota] `requests` and `per_seconds` are at least 1".into());
        }
    }
    for (status, kind) in &m.errors.statuses {
        kind.parse::<ErrorKind>()
            .map_err(|e| format!("[errors] statuses {status}: {e}"))?;
    }
    for (code, kind) in &m.errors.codes {
        kind.parse::<ErrorKind>()
            .map_err(|e| format!("[errors] codes {code}: {e}"))?;
    }
    if !m.errors.codes.is_empty() && m.errors.code.is_none() {
        return Err("[errors] `codes` need `code`, the JSON pointer to the vendor's code".into());
    }
    for option in &m.options {
        if option.default.is_some() == option.document_version {
            return Err(format!(
                "[[option]] `{}`: give either a `default` or `document_version = true`",
                option.name
            ));
        }
    }
    for (alias, key) in &m.fleet_aliases {
        if !["base_url", "instance", "token"].contains(&key.as_str()) {
            return Err(format!(
                "fleet_aliases: `{alias}` stands for `{key}`; expected base_url, instance or token"
            ));
        }
    }
    if !m.simulator.base_path.starts_with('/') || m.simulator.base_path.ends_with('/') {
        return Err("[simulator] `base_path` starts with `/` and does not end with one".into());
    }
    if m.connection_strings.is_empty() {
        return Err("`connection_strings` lists at least one form".into());
    }
    for text in &m.connection_strings {
        let form = parse_form(&m.name, text)?;
        for placeholder in form.userinfo.iter().chain(&form.tail) {
            let known =
                *placeholder == m.instance.placeholder || form.userinfo.contains(placeholder);
            if !known {
                return Err(format!(
                    "connection string `{text}`: `{placeholder}` is not a placeholder"
                ));
            }
        }
        let has_instance = form.userinfo.contains(&m.instance.placeholder)
            || form.tail.as_deref() == Some(m.instance.placeholder.as_str());
        if !has_instance {
            return Err(format!(
                "connection string `{text}` has no `{}` (the [instance] placeholder)",
                m.instance.placeholder
            ));
        }
        let credentials = form
            .userinfo
            .iter()
            .filter(|p| **p != m.instance.placeholder)
            .count();
        let fits = match (m.auth.style.as_str(), credentials) {
            ("bearer-or-header-pair", 1 | 2) => true,
            ("api-key-header", 0) => m.auth.optional,
            (_, 1) => true,
            _ => false,
        };
        if !fits {
            return Err(format!(
                "connection string `{text}` has {credentials} credential(s), which the auth style `{}` does not take",
                m.auth.style
            ));
        }
    }
    let names: Vec<&str> = recordings.iter().map(|r| r.name.as_str()).collect();
    for demo in &m.demo {
        if !names.contains(&demo.response.as_str()) {
            return Err(format!(
                "[[demo]] `{}` serves `{}`, which is not a file of responses/",
                demo.instance, demo.response
            ));
        }
    }
    for role in ["unauthenticated", "unknown_instance", "rate_limited"] {
        let serving: Vec<&str> = recordings
            .iter()
            .filter(|r| r.file.serves.as_deref() == Some(role))
            .map(|r| r.name.as_str())
            .collect();
        let needed = role != "rate_limited" || m.quota.is_some();
        let optional_auth = role == "unauthenticated" && m.auth.optional;
        match serving.len() {
            0 if needed && !optional_auth => {
                return Err(format!(
                    "no recorded response `serves = \"{role}\"`: the simulator needs one to answer with"
                ))
            }
            0 | 1 => {}
            _ => {
                return Err(format!(
                    "{} recorded responses serve `{role}` ({}): keep one",
                    serving.len(),
                    serving.join(", ")
                ))
            }
        }
    }
    if !recordings
        .iter()
        .any(|r| r.file.expect.state.as_deref() == Some("connected"))
    {
        return Err("no recorded response reads `connected`".into());
    }
    Ok(())
}

/// Takes a connection-string form apart, e.g.
/// `acme://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID`.
pub fn parse_form(name: &str, text: &str) -> Result<Form, String> {
    let bad = |why: &str| format!("connection string `{text}`: {why}");
    let rest = text
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix("+http").or(Some(r)))
        .and_then(|r| r.strip_prefix("://"))
        .ok_or_else(|| bad(&format!("it must start with `{name}://`")))?;
    let (userinfo, location) = match rest.rsplit_once('@') {
        Some((userinfo, location)) => (
            userinfo.split(':').map(str::to_owned).collect::<Vec<_>>(),
            location,
        ),
        None => (Vec::new(), rest),
    };
    let tail = location
        .strip_prefix("HOST[/BASE]")
        .ok_or_else(|| bad("`HOST[/BASE]` must follow the credentials"))?;
    let tail = match tail {
        "" => None,
        t => Some(
            t.strip_prefix('/')
                .filter(|p| !p.contains('/'))
                .ok_or_else(|| bad("one `/PLACEHOLDER` at most may follow `HOST[/BASE]`"))?
                .to_owned(),
        ),
    };
    let placeholder =
        |p: &String| !p.is_empty() && p.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if !userinfo.iter().chain(&tail).all(placeholder) || userinfo.len() > 2 {
        return Err(bad("placeholders are UPPER_CASE, at most two before `@`"));
    }
    Ok(Form {
        text: text.to_owned(),
        userinfo,
        tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_come_apart_into_userinfo_and_tail() {
        assert_eq!(
            parse_form("acme", "acme://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID").unwrap(),
            Form {
                text: "acme://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID".into(),
                userinfo: vec!["INSTANCE_TOKEN".into(), "CLIENT_TOKEN".into()],
                tail: Some("ID".into()),
            }
        );
        let green = parse_form("acme-api", "acme-api://ID_INSTANCE:API_TOKEN@HOST[/BASE]").unwrap();
        assert_eq!((green.userinfo.len(), green.tail), (2, None));
        let keyless = parse_form("acme", "acme+http://HOST[/BASE]/SESSION").unwrap();
        assert_eq!(
            (keyless.userinfo.len(), keyless.tail.as_deref()),
            (0, Some("SESSION"))
        );
        assert_eq!(
            parse_form("acme", "acm://HOST[/BASE]/S").unwrap_err(),
            "connection string `acm://HOST[/BASE]/S`: it must start with `acme://`"
        );
    }
}
