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
    /// More about the provider for its client crate's docs (Markdown), where the summary
    /// is not enough.
    #[serde(default)]
    pub about: Option<String>,
    /// The shared vendor page whose OpenAPI block `openapi.yaml` is, byte for byte.
    #[serde(default)]
    pub source_page: Option<String>,
    pub connection_strings: Vec<String>,
    #[serde(default)]
    pub fleet_aliases: BTreeMap<String, String>,
    /// Whether `openapi.yaml` is authored by us (then it says so at its top).
    #[serde(default)]
    pub authored: bool,
    pub base_url: BaseUrl,
    pub instance: Instance,
    #[serde(rename = "credential", default)]
    pub credentials: Vec<CredentialSpec>,
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

/// `[instance]`: how the vendor knows the instance. Either the status call names it (a
/// `placeholder` in the connection strings, the path `parameter` that carries it, its `env`
/// variable), or the vendor knows it by a credential alone (`named_by`, that credential's
/// placeholder), and the call names no instance.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    #[serde(default)]
    pub placeholder: Option<String>,
    pub noun: String,
    #[serde(default)]
    pub parameter: Option<String>,
    #[serde(default)]
    pub digits: Option<u8>,
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default)]
    pub named_by: Option<String>,
}

impl Instance {
    /// Whether `placeholder` is the instance's placeholder.
    pub fn is_placeholder(&self, placeholder: &str) -> bool {
        self.placeholder.as_deref() == Some(placeholder)
    }

    /// Whether `name` is the status call's path parameter that carries the instance.
    pub fn is_parameter(&self, name: &str) -> bool {
        self.parameter.as_deref() == Some(name)
    }
}

/// One `[[credential]]`: a credential the provider takes, its connection-string slot, and
/// where it goes (exactly one of `header`, `path`, `query`, `basic`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSpec {
    /// Its placeholder in `connection_strings`.
    pub placeholder: String,
    /// Its key in fleet files (default: the placeholder in lower case).
    #[serde(default)]
    pub key: Option<String>,
    /// What the vendor calls it (default: the key in words).
    #[serde(default)]
    pub noun: Option<String>,
    pub env: String,
    /// A header's name, with `prefix` before the credential.
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub prefix: Option<String>,
    /// A path parameter of the status call.
    #[serde(default)]
    pub path: Option<String>,
    /// A query parameter of the status call.
    #[serde(default)]
    pub query: Option<String>,
    /// `user` or `password` of HTTP Basic.
    #[serde(default)]
    pub basic: Option<String>,
}

impl CredentialSpec {
    /// Its key in fleet files and configs.
    pub fn key(&self) -> String {
        self.key
            .clone()
            .unwrap_or_else(|| self.placeholder.to_ascii_lowercase())
    }

    /// What messages call it.
    pub fn noun(&self) -> String {
        self.noun
            .clone()
            .unwrap_or_else(|| self.key().replace('_', " "))
    }

    /// Where it goes, checked: exactly one placement.
    pub fn placement(&self) -> Result<PlacementSpec, String> {
        let who = format!("[[credential]] `{}`", self.placeholder);
        let given = [
            self.header.is_some(),
            self.path.is_some(),
            self.query.is_some(),
            self.basic.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(format!(
                "{who}: give exactly one placement: `header`, `path`, `query` or `basic`"
            ));
        }
        if self.prefix.is_some() && self.header.is_none() {
            return Err(format!("{who}: `prefix` goes with `header`"));
        }
        Ok(match (&self.header, &self.path, &self.query, &self.basic) {
            (Some(name), ..) => PlacementSpec::Header {
                name: name.clone(),
                prefix: self.prefix.clone().unwrap_or_default(),
            },
            (_, Some(parameter), ..) => PlacementSpec::Path(parameter.clone()),
            (_, _, Some(parameter), _) => PlacementSpec::Query(parameter.clone()),
            (.., Some(part)) if part == "user" => PlacementSpec::BasicUser,
            (.., Some(part)) if part == "password" => PlacementSpec::BasicPassword,
            (.., Some(part)) => {
                return Err(format!(
                    "{who}: `basic = \"{part}\"`: expected user or password"
                ))
            }
            _ => unreachable!("one placement is given"),
        })
    }
}

/// Where a credential goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlacementSpec {
    Header { name: String, prefix: String },
    Path(String),
    Query(String),
    BasicUser,
    BasicPassword,
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
    /// JSON Pointers to the fields of the success body the mapping reads; every other
    /// field is read tolerantly (`xtask/src/tolerant.rs`).
    pub reads: Vec<String>,
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
    /// Error answers that are the vendor's way of giving a state.
    #[serde(default, rename = "state")]
    pub states: Vec<ErrorStateSpec>,
}

/// `[[errors.state]]`: an error answer of `status` whose body holds `contains` reads as
/// `state` (its raw value the vendor's words).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorStateSpec {
    pub status: u16,
    pub contains: String,
    pub state: String,
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
    /// Its credentials, by key.
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
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
    /// The placeholders of `userinfo` written `[:PLACEHOLDER]`, which may be left out.
    pub optional: Vec<String>,
    pub tail: Option<String>,
}

/// Reads and checks one provider's folder. Every problem found is reported at once, one
/// per line, each naming its file.
pub fn load(folder: &Path) -> Result<(Manifest, Vec<Recording>), String> {
    let shown = folder.display();
    let path = folder.join("provider.toml");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut problems = Vec::new();
    let manifest: Option<Manifest> = match toml::from_str(&text) {
        Ok(manifest) => Some(manifest),
        Err(e) => {
            problems.push(format!("{}: {e}", path.display()));
            None
        }
    };
    let folder_name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut recordings = Vec::new();
    let responses = folder.join("responses");
    let mut entries: Vec<_> = match fs::read_dir(&responses) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect(),
        Err(e) => {
            problems.push(format!("cannot read {}: {e}", responses.display()));
            Vec::new()
        }
    };
    entries.sort();
    for path in entries {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("cannot read {}: {e}", path.display()));
                continue;
            }
        };
        match toml::from_str::<RecordingFile>(&text) {
            Ok(file) => {
                problems.extend(
                    check_recording(&file)
                        .into_iter()
                        .map(|e| format!("{}: {e}", path.display())),
                );
                recordings.push(Recording { name, file });
            }
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    if let Some(manifest) = &manifest {
        if manifest.name != folder_name {
            problems.push(format!(
                "{shown}/provider.toml: `name` is `{}` but the folder is `{folder_name}`: they must be the same",
                manifest.name
            ));
        }
        problems.extend(
            check_manifest(manifest, &recordings)
                .into_iter()
                .map(|e| format!("{shown}/provider.toml: {e}")),
        );
        problems.extend(
            check_document(folder, manifest)
                .into_iter()
                .map(|e| format!("{shown}/openapi.yaml: {e}")),
        );
    }
    match (manifest, problems.is_empty()) {
        (Some(manifest), true) => Ok((manifest, recordings)),
        _ => Err(problems.join("\n")),
    }
}

/// The first line of a document we author, so that no one takes it for the vendor's.
pub const AUTHORED_MARK: &str = "# AUTHORED, NOT PUBLISHED BY THE VENDOR.";

/// An authored document says so at its top, and a vendor's does not.
fn check_document(folder: &Path, m: &Manifest) -> Vec<String> {
    let Ok(text) = fs::read_to_string(folder.join("openapi.yaml")) else {
        return Vec::new();
    };
    let marked = text.lines().next() == Some(AUTHORED_MARK);
    match (m.authored, marked) {
        (true, false) => vec![format!(
            "the manifest says `authored = true`: its first line must be `{AUTHORED_MARK}`, then who wrote it from what"
        )],
        (false, true) => vec![
            "it says it is authored, but the manifest does not: add `authored = true`".into(),
        ],
        _ => Vec::new(),
    }
}

fn check_recording(file: &RecordingFile) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(role) = &file.serves {
        if let Err(e) = role_name(role) {
            problems.push(e);
        }
    }
    let e = &file.expect;
    match (&e.state, &e.error) {
        (Some(state), None) => {
            match state.parse::<ConnectionState>() {
                Err(error) => problems.push(format!("[expect] {error}")),
                Ok(state) => match (&e.action, state) {
                    (Some(_), ConnectionState::Unknown) => {
                        problems.push("[expect] an `unknown` reading has no `action`".into())
                    }
                    (None, ConnectionState::Unknown) => {}
                    (None, _) => problems.push("[expect] a reading needs its `action`".into()),
                    (Some(action), _) => {
                        if let Err(error) = action.parse::<RequiredAction>() {
                            problems.push(format!("[expect] {error}"));
                        }
                    }
                },
            }
            if e.raw_state.is_none() {
                problems.push("[expect] a reading needs its `raw_state`".into());
            }
            if e.retry_after.is_some() || e.message.is_some() || e.temporary.is_some() {
                problems.push(
                    "[expect] `retry_after`, `message` and `temporary` go with an `error`".into(),
                );
            }
        }
        (None, Some(kind)) => {
            if let Err(error) = kind.parse::<ErrorKind>() {
                problems.push(format!("[expect] {error}"));
            }
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
                problems.push("[expect] an `error` has no reading fields".into());
            }
        }
        _ => problems.push("[expect] needs either a `state` or an `error`".into()),
    }
    problems
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

/// Every credential set the forms allow, as keys sorted in the manifest's order.
pub fn credential_sets(m: &Manifest) -> Result<Vec<Vec<String>>, String> {
    let mut sets: Vec<Vec<String>> = Vec::new();
    let order = |key: &String| m.credentials.iter().position(|c| c.key() == *key);
    for text in &m.connection_strings {
        let form = parse_form(&m.name, text)?;
        let placeholders: Vec<&String> = form
            .userinfo
            .iter()
            .filter(|p| !m.instance.is_placeholder(p))
            .collect();
        let required = placeholders
            .iter()
            .take_while(|p| !form.optional.contains(p))
            .count();
        for length in required..=placeholders.len() {
            let mut keys: Vec<String> = placeholders[..length]
                .iter()
                .filter_map(|p| m.credentials.iter().find(|c| c.placeholder == **p))
                .map(CredentialSpec::key)
                .collect();
            keys.sort_by_key(order);
            if !sets.contains(&keys) {
                sets.push(keys);
            }
        }
    }
    Ok(sets)
}

fn check_manifest(m: &Manifest, recordings: &[Recording]) -> Vec<String> {
    let mut problems: Vec<String> = Vec::new();
    let wire = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if !wire(&m.name) {
        problems.push(format!(
            "`name = \"{}\"`: a wire name is lowercase letters, digits and `-`",
            m.name
        ));
    }
    if !m.type_name.starts_with(|c: char| c.is_ascii_uppercase())
        || !m.type_name.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        problems.push(format!(
            "`type = \"{}\"`: a type name is CamelCase letters and digits",
            m.type_name
        ));
    }
    if !["hosted", "self-hosted", "official"].contains(&m.hosting.as_str()) {
        problems.push(format!(
            "`hosting = \"{}\"`: expected hosted, self-hosted or official",
            m.hosting
        ));
    }
    let i = &m.instance;
    match (&i.named_by, &i.placeholder, &i.parameter, &i.env) {
        (None, Some(_), Some(_), Some(_)) => {}
        (Some(named_by), None, None, None) if i.digits.is_none() => {
            if !m.credentials.iter().any(|c| c.placeholder == *named_by) {
                problems.push(format!(
                    "[instance] `named_by = \"{named_by}\"` is no [[credential]]'s placeholder"
                ));
            }
            if m.quota.as_ref().is_some_and(|q| q.per == "instance") {
                problems.push(
                    "[quota] `per = \"instance\"`: an instance named by a credential is counted per token"
                        .into(),
                );
            }
        }
        (Some(_), ..) => problems.push(
            "[instance] `named_by`: the call names no instance, so give no `placeholder`, `parameter`, `env` or `digits`"
                .into(),
        ),
        (None, ..) => problems.push(
            "[instance] gives `placeholder`, `parameter` and `env`, or `named_by` (the credential the vendor knows the instance by)"
                .into(),
        ),
    }
    let mut keys: Vec<String> = Vec::new();
    let mut placeholders: Vec<&str> = Vec::new();
    for credential in &m.credentials {
        if let Err(e) = credential.placement() {
            problems.push(e);
        }
        let key = credential.key();
        if keys.contains(&key)
            || ["name", "provider", "base_url", "instance"].contains(&key.as_str())
        {
            problems.push(format!(
                "[[credential]] `{}`: the key `{key}` is taken",
                credential.placeholder
            ));
        }
        keys.push(key);
        if placeholders.contains(&credential.placeholder.as_str())
            || m.instance.is_placeholder(&credential.placeholder)
        {
            problems.push(format!(
                "[[credential]] `{}`: the placeholder is taken",
                credential.placeholder
            ));
        }
        placeholders.push(&credential.placeholder);
    }
    let basic: Vec<PlacementSpec> = m
        .credentials
        .iter()
        .filter_map(|c| c.placement().ok())
        .filter(|p| matches!(p, PlacementSpec::BasicUser | PlacementSpec::BasicPassword))
        .collect();
    let basic_pair = basic.len() == 2
        && basic.contains(&PlacementSpec::BasicUser)
        && basic.contains(&PlacementSpec::BasicPassword);
    if !basic.is_empty() && !basic_pair {
        problems.push(
            "HTTP Basic takes one credential `basic = \"user\"` and one `basic = \"password\"`"
                .into(),
        );
    }
    if let Some(quota) = &m.quota {
        if !["token", "instance"].contains(&quota.per.as_str()) {
            problems.push(format!(
                "[quota] `per = \"{}\"`: expected token or instance",
                quota.per
            ));
        }
        if quota.requests == 0 || quota.per_seconds == 0 {
            problems.push("[quota] `requests` and `per_seconds` are at least 1".into());
        }
    }
    for (status, kind) in &m.errors.statuses {
        if let Err(e) = kind.parse::<ErrorKind>() {
            problems.push(format!("[errors] statuses {status}: {e}"));
        }
    }
    for (code, kind) in &m.errors.codes {
        if let Err(e) = kind.parse::<ErrorKind>() {
            problems.push(format!("[errors] codes {code}: {e}"));
        }
    }
    if !m.errors.codes.is_empty() && m.errors.code.is_none() {
        problems.push("[errors] `codes` need `code`, the JSON pointer to the vendor's code".into());
    }
    for state in &m.errors.states {
        if let Err(e) = state.state.parse::<ConnectionState>() {
            problems.push(format!("[[errors.state]] {}: {e}", state.status));
        }
        if state.status < 400 || state.contains.trim().is_empty() {
            problems.push(format!(
                "[[errors.state]] {}: an error status (400 or more) and a text the body holds",
                state.status
            ));
        }
    }
    for option in &m.options {
        if option.default.is_some() == option.document_version {
            problems.push(format!(
                "[[option]] `{}`: give either a `default` or `document_version = true`",
                option.name
            ));
        }
    }
    for (alias, key) in &m.fleet_aliases {
        if !["base_url", "instance"].contains(&key.as_str()) && !keys.contains(key) {
            problems.push(format!(
                "fleet_aliases: `{alias}` stands for `{key}`; expected base_url, instance or a credential's key ({})",
                keys.join(", ")
            ));
        }
    }
    if !m.simulator.base_path.starts_with('/') || m.simulator.base_path.ends_with('/') {
        problems.push("[simulator] `base_path` starts with `/` and does not end with one".into());
    }
    if m.connection_strings.is_empty() {
        problems.push("`connection_strings` lists at least one form".into());
    }
    let mut used: Vec<&str> = Vec::new();
    for text in &m.connection_strings {
        let form = match parse_form(&m.name, text) {
            Ok(form) => form,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        for placeholder in form.userinfo.iter().chain(&form.tail) {
            if m.instance.is_placeholder(placeholder) {
                continue;
            }
            match m.credentials.iter().find(|c| c.placeholder == *placeholder) {
                Some(credential) => used.push(&credential.placeholder),
                None => problems.push(format!(
                    "connection string `{text}`: `{placeholder}` is neither the [instance] placeholder nor a [[credential]]"
                )),
            }
        }
        if form
            .tail
            .as_ref()
            .is_some_and(|t| !m.instance.is_placeholder(t))
        {
            problems.push(format!(
                "connection string `{text}`: only the instance follows `HOST[/BASE]`"
            ));
        }
        match (&m.instance.placeholder, &m.instance.named_by) {
            (Some(placeholder), _) => {
                let has_instance =
                    form.userinfo.contains(placeholder) || form.tail.as_ref() == Some(placeholder);
                if !has_instance {
                    problems.push(format!(
                        "connection string `{text}` has no `{placeholder}` (the [instance] placeholder)"
                    ));
                }
            }
            (None, Some(named_by)) => {
                let required =
                    form.userinfo.contains(named_by) && !form.optional.contains(named_by);
                if !required {
                    problems.push(format!(
                        "connection string `{text}` does not require `{named_by}`, the credential that names the instance"
                    ));
                }
            }
            (None, None) => {}
        }
    }
    for credential in &m.credentials {
        if !used.contains(&credential.placeholder.as_str()) {
            problems.push(format!(
                "[[credential]] `{}` is in no connection string: give it its slot",
                credential.placeholder
            ));
        }
    }
    let sets = credential_sets(m).unwrap_or_default();
    let names: Vec<&str> = recordings.iter().map(|r| r.name.as_str()).collect();
    for demo in &m.demo {
        if !names.contains(&demo.response.as_str()) {
            problems.push(format!(
                "[[demo]] `{}` serves `{}`, which is not a file of responses/",
                demo.instance, demo.response
            ));
        }
        let given: Vec<String> = demo.credentials.keys().cloned().collect();
        let mut sorted = given.clone();
        sorted.sort_by_key(|key| m.credentials.iter().position(|c| c.key() == *key));
        if !sets.contains(&sorted) {
            problems.push(format!(
                "[[demo]] `{}`: its credentials ({}) are no set a connection string takes",
                demo.instance,
                if given.is_empty() {
                    "none".to_owned()
                } else {
                    given.join(", ")
                }
            ));
        }
    }
    if m.demo.is_empty() {
        problems.push(
            "no [[demo]] instance: the demo and the simulator's sample fleet show every provider"
                .into(),
        );
    }
    let keyless = sets.iter().any(Vec::is_empty);
    for role in ["unauthenticated", "unknown_instance", "rate_limited"] {
        let serving: Vec<&str> = recordings
            .iter()
            .filter(|r| r.file.serves.as_deref() == Some(role))
            .map(|r| r.name.as_str())
            .collect();
        // A vendor that knows the instance by its credential cannot tell an unknown instance
        // from a wrong credential.
        let needed = match role {
            "rate_limited" => m.quota.is_some(),
            "unknown_instance" => m.instance.named_by.is_none(),
            _ => true,
        };
        let optional_auth = role == "unauthenticated" && keyless;
        match serving.len() {
            0 if needed && !optional_auth => problems.push(format!(
                "no recorded response `serves = \"{role}\"`: the simulator needs one to answer with"
            )),
            0 | 1 => {}
            _ => problems.push(format!(
                "{} recorded responses serve `{role}` ({}): keep one",
                serving.len(),
                serving.join(", ")
            )),
        }
    }
    if !recordings
        .iter()
        .any(|r| r.file.expect.state.as_deref() == Some("connected"))
    {
        problems.push("no recorded response reads `connected`".into());
    }
    if m.status.reads.is_empty() {
        problems.push("[status] `reads` lists the fields the mapping reads".into());
    }
    problems
}

/// Takes a connection-string form apart, e.g.
/// `acme://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID` or `acme://TOKEN[:CLIENT_TOKEN]@HOST[/BASE]/ID`.
pub fn parse_form(name: &str, text: &str) -> Result<Form, String> {
    let bad = |why: &str| format!("connection string `{text}`: {why}");
    let rest = text
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix("+http").or(Some(r)))
        .and_then(|r| r.strip_prefix("://"))
        .ok_or_else(|| bad(&format!("it must start with `{name}://`")))?;
    let (userinfo_text, location) = match rest.rsplit_once('@') {
        Some((userinfo, location)) => (userinfo, location),
        None => ("", rest),
    };
    // `A:B[:C][:D]`: the bracketed parts may be left out, and come last.
    let (required, optional_text) = match userinfo_text.find('[') {
        Some(at) => userinfo_text.split_at(at),
        None => (userinfo_text, ""),
    };
    let mut userinfo: Vec<String> = match required {
        "" => Vec::new(),
        text => text.split(':').map(str::to_owned).collect(),
    };
    let mut optional = Vec::new();
    let mut rest_optional = optional_text;
    while !rest_optional.is_empty() {
        let part = rest_optional
            .strip_prefix("[:")
            .and_then(|r| r.split_once(']'))
            .ok_or_else(|| {
                bad("an optional credential is written `[:PLACEHOLDER]`, after the others")
            })?;
        userinfo.push(part.0.to_owned());
        optional.push(part.0.to_owned());
        rest_optional = part.1;
    }
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
    if !userinfo.iter().chain(&tail).all(placeholder) || userinfo.len() > 3 {
        return Err(bad("placeholders are UPPER_CASE, at most three before `@`"));
    }
    Ok(Form {
        text: text.to_owned(),
        userinfo,
        optional,
        tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest whose `[instance]` is `instance` (TOML lines) and whose one form is `form`.
    fn manifest(instance: &str, form: &str) -> Manifest {
        toml::from_str(&format!(
            r#"
name = "acme"
title = "Acme"
type = "Acme"
hosting = "self-hosted"
summary = "a server"
docs = []
source = "ours"
connection_strings = ["{form}"]
[base_url]
env = "WA_ACME_URL"
[instance]
{instance}
[[credential]]
placeholder = "TOKEN"
env = "WA_ACME_TOKEN"
header = "Token"
[status]
operation = "getStatus"
reads = ["/status"]
[simulator]
base_path = "/acme"
"#
        ))
        .unwrap()
    }

    /// The problems `check_manifest` finds that are about the instance.
    fn instance_problems(m: &Manifest) -> Vec<String> {
        check_manifest(m, &[])
            .into_iter()
            .filter(|p| p.contains("instance") && !p.contains("[[demo]]"))
            .collect()
    }

    #[test]
    fn an_instance_is_named_by_the_call_or_by_a_credential() {
        let named_by = manifest(
            "named_by = \"TOKEN\"\nnoun = \"user\"",
            "acme://TOKEN@HOST[/BASE]",
        );
        // No unknown_instance recording is needed: the vendor cannot tell one.
        assert_eq!(instance_problems(&named_by), Vec::<String>::new());
        let in_path = manifest(
            "placeholder = \"ID\"\nnoun = \"id\"\nparameter = \"id\"\nenv = \"WA_ACME_ID\"",
            "acme://TOKEN@HOST[/BASE]/ID",
        );
        assert_eq!(
            instance_problems(&in_path),
            ["no recorded response `serves = \"unknown_instance\"`: the simulator needs one to answer with"]
        );
        assert_eq!(
            instance_problems(&manifest(
                "named_by = \"OTHER\"\nnoun = \"user\"",
                "acme://TOKEN@HOST[/BASE]"
            )),
            [
                "[instance] `named_by = \"OTHER\"` is no [[credential]]'s placeholder",
                "connection string `acme://TOKEN@HOST[/BASE]` does not require `OTHER`, the credential that names the instance"
            ]
        );
        assert_eq!(
            instance_problems(&manifest(
                "named_by = \"TOKEN\"\nnoun = \"user\"\nparameter = \"id\"",
                "acme://TOKEN@HOST[/BASE]"
            )),
            ["[instance] `named_by`: the call names no instance, so give no `placeholder`, `parameter`, `env` or `digits`"]
        );
        assert_eq!(
            instance_problems(&manifest("noun = \"user\"", "acme://TOKEN@HOST[/BASE]")),
            [
                "[instance] gives `placeholder`, `parameter` and `env`, or `named_by` (the credential the vendor knows the instance by)",
                "no recorded response `serves = \"unknown_instance\"`: the simulator needs one to answer with"
            ]
        );
    }

    #[test]
    fn forms_come_apart_into_userinfo_and_tail() {
        assert_eq!(
            parse_form("acme", "acme://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID").unwrap(),
            Form {
                text: "acme://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID".into(),
                userinfo: vec!["INSTANCE_TOKEN".into(), "CLIENT_TOKEN".into()],
                optional: vec![],
                tail: Some("ID".into()),
            }
        );
        let z = parse_form("acme", "acme://TOKEN[:CLIENT_TOKEN]@HOST[/BASE]/ID").unwrap();
        assert_eq!(
            (z.userinfo, z.optional),
            (
                vec!["TOKEN".to_owned(), "CLIENT_TOKEN".to_owned()],
                vec!["CLIENT_TOKEN".to_owned()]
            )
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
