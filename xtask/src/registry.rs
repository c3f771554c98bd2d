//! The registry: everything that spans providers, generated from their folders. The
//! catalog (`crates/providers/src/generated.rs`) holds each provider's facts and recorded
//! responses; the dispatch (`crates/unified/src/generated.rs`) joins each provider's cargo
//! feature to its client. A provider folder is therefore the only place a provider is
//! described; adding one adds its entries here on the next `cargo xtask codegen`.

use std::fs;
use std::path::Path;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;
use wa_model::{ConnectionState, ErrorKind, RequiredAction};

use crate::manifest::{parse_form, role_name, Recording};
use crate::providers::Provider;

/// The generated catalog of every provider, as Rust source (without its header).
pub fn catalog(providers: &[Provider], normalized: &[Value]) -> Result<String, String> {
    let variants: Vec<Ident> = providers.iter().map(variant).collect();
    let mut enum_variants = Vec::new();
    let mut infos = Vec::new();
    let mut info_arms = Vec::new();
    let mut recording_statics = Vec::new();
    let mut recording_arms = Vec::new();
    let mut document_arms = Vec::new();
    for ((provider, doc), variant) in providers.iter().zip(normalized).zip(&variants) {
        let m = &provider.manifest;
        let wire = &m.name;
        let doc_line = format!(" {}: {}.", m.title, m.summary);
        enum_variants.push(quote! {
            #[doc = #doc_line]
            #[serde(rename = #wire)]
            #variant
        });
        let info_static = ident(&format!("{}_INFO", provider.module().to_uppercase()));
        let recordings_static = ident(&format!("{}_RECORDINGS", provider.module().to_uppercase()));
        infos.push(info(provider, doc, variant, &info_static)?);
        info_arms.push(quote!(Provider::#variant => &#info_static));
        let recordings = provider
            .recordings
            .iter()
            .map(|r| recording(variant, r))
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| format!("{}: {e}", provider.name))?;
        recording_statics.push(quote! {
            #[cfg(feature = "recordings")]
            static #recordings_static: &[crate::Recording] = &[#(#recordings),*];
        });
        recording_arms.push(quote!(Provider::#variant => #recordings_static));
        let text = serde_json::to_string_pretty(doc)
            .map_err(|e| format!("{}: the normalized document: {e}", provider.name))?
            + "\n";
        document_arms.push(quote!(Provider::#variant => #text));
    }
    let fleet_keys = fleet_keys(providers);
    let tokens = quote! {
        #[allow(unused_imports)]
        use wa_model::{ConnectionState, ErrorKind, RequiredAction};
        use crate::catalog::*;

        /// A gateway provider, by its wire name: one per folder of `specs/`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub enum Provider {
            #(#enum_variants),*
        }

        impl Provider {
            /// Every provider, in the order of their folders' names.
            pub const ALL: &'static [Provider] = &[#(Provider::#variants),*];

            /// What the catalog says about this provider.
            pub fn info(self) -> &'static ProviderInfo {
                match self {
                    #(#info_arms),*
                }
            }
        }

        /// Every fleet-file key an instance may use, aliases included.
        pub const FLEET_KEYS: &[&str] = &[#(#fleet_keys),*];

        #(#infos)*

        #[cfg(feature = "recordings")]
        pub(crate) fn recordings(provider: Provider) -> &'static [crate::Recording] {
            match provider {
                #(#recording_arms),*
            }
        }

        #[cfg(feature = "recordings")]
        pub(crate) fn normalized_document(provider: Provider) -> &'static str {
            match provider {
                #(#document_arms),*
            }
        }

        #(#recording_statics)*
    };
    unparse(tokens)
}

/// The generated dispatch of `wa-unified`, as Rust source (without its header): each
/// provider's client behind its cargo feature.
pub fn dispatch(providers: &[Provider]) -> String {
    let mut client_variants = Vec::new();
    let mut connect_arms = Vec::new();
    let mut observe_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut enabled_arms = Vec::new();
    for provider in providers {
        let variant = variant(provider);
        let feature = &provider.name;
        let client = ident(&provider.client_ident());
        client_variants.push(quote! {
            #[cfg(feature = #feature)]
            #variant(#client::Client)
        });
        connect_arms.push(quote! {
            #[cfg(feature = #feature)]
            Provider::#variant => backend::connect(config, transport).map(Client::#variant)
        });
        observe_arms.push(quote! {
            #[cfg(feature = #feature)]
            Client::#variant(client) => backend::observe(client, config).await
        });
        decode_arms.push(quote! {
            #[cfg(feature = #feature)]
            Provider::#variant => backend::decode::<#client::Client>(provider, body)
        });
        enabled_arms.push(quote!(Provider::#variant => cfg!(feature = #feature)));
    }
    let tokens = quote! {
        use wa_client_support::Transport;

        use crate::backend;
        use crate::config::InstanceConfig;
        use crate::error::Error;
        use crate::model::Observation;
        use crate::Provider;

        /// The client of one instance, whichever its provider: one variant per provider
        /// whose cargo feature is on.
        pub(crate) enum Client {
            #(#client_variants,)*
        }

        impl Client {
            /// The client for `config`, or an error naming the cargo feature to enable.
            #[allow(unused_variables)]
            pub(crate) fn connect(config: &InstanceConfig, transport: &Transport) -> Result<Client, Error> {
                match config.provider() {
                    #(#connect_arms,)*
                    #[allow(unreachable_patterns)]
                    other => Err(backend::not_enabled(other)),
                }
            }

            /// One attempt at reading the instance's state.
            pub(crate) async fn observe(&self, config: &InstanceConfig) -> Result<Observation, Error> {
                match self {
                    #(#observe_arms,)*
                    #[allow(unreachable_patterns)]
                    _ => unreachable!("no client exists for a provider that is not enabled"),
                }
            }
        }

        /// Decodes and reads a provider's success body, as the client does.
        #[allow(unused_variables)]
        pub(crate) fn decode(provider: Provider, body: &[u8]) -> Result<Observation, Error> {
            match provider {
                #(#decode_arms,)*
                #[allow(unreachable_patterns)]
                other => Err(backend::not_enabled(other)),
            }
        }

        /// Whether this build includes `provider` (its cargo feature of the same name).
        pub(crate) fn is_enabled(provider: Provider) -> bool {
            match provider {
                #(#enabled_arms,)*
                #[allow(unreachable_patterns)]
                _ => false,
            }
        }
    };
    unparse(tokens).expect("the dispatch is valid Rust")
}

/// Facts from the manifest the client crate's hand-written glue uses, appended to its
/// `generated.rs` (so the header name of an auth style is written once, in the manifest).
pub fn client_manifest(provider: &Provider, normalized: &Value) -> String {
    let m = &provider.manifest;
    let name = &m.name;
    let default_base_url = opt_str(&m.base_url.default);
    let mut items = vec![
        quote! {
            /// The provider's wire name.
            pub const NAME: &str = #name;
        },
        quote! {
            /// The production base URL; `None` when each customer or server has its own.
            pub const DEFAULT_BASE_URL: Option<&str> = #default_base_url;
        },
    ];
    if let Some([first, second]) = &m.auth.headers {
        items.push(quote! {
            /// The headers of the credential pair.
            pub const HEADER_PAIR: [&str; 2] = [#first, #second];
        });
    }
    if let Some(header) = &m.auth.header {
        items.push(quote! {
            /// The header of the API key.
            pub const API_KEY_HEADER: &str = #header;
        });
    }
    if let Some(digits) = m.instance.digits {
        items.push(quote! {
            /// The instance is a number of at most this many digits.
            pub const INSTANCE_DIGITS: u8 = #digits;
        });
    }
    let sends = status_query(normalized, &m.status.operation);
    if !sends.is_empty() {
        let pairs = sends.iter().map(|(name, value)| quote!((#name, #value)));
        items.push(quote! {
            /// The query parameters the status call sends, and their values, as the
            /// normalized document's `x-wa-status-sends` says.
            pub const STATUS_QUERY: &[(&str, &str)] = &[#(#pairs),*];
        });
    }
    let tokens = quote! {
        /// Facts from the provider's `provider.toml` that the hand-written glue uses.
        pub mod manifest {
            #(#items)*
        }
    };
    unparse(tokens).expect("the manifest module is valid Rust")
}

fn info(
    provider: &Provider,
    doc: &Value,
    variant: &Ident,
    info_static: &Ident,
) -> Result<TokenStream, String> {
    let m = &provider.manifest;
    let (name, title, summary) = (&m.name, &m.title, &m.summary);
    let hosting = ident(match m.hosting.as_str() {
        "self-hosted" => "SelfHosted",
        "official" => "Official",
        _ => "Hosted",
    });
    let docs = &m.docs;
    let client_crate = provider.client_crate();
    let forms = m
        .connection_strings
        .iter()
        .map(|text| {
            let form = parse_form(&m.name, text)?;
            let userinfo = &form.userinfo;
            let tail = opt_str(&form.tail);
            Ok(quote! {
                ConnectionForm { text: #text, userinfo: &[#(#userinfo),*], tail: #tail }
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let base_default = opt_str(&m.base_url.default);
    let (base_noun, base_env) = (&m.base_url.noun, &m.base_url.env);
    let i = &m.instance;
    let (i_placeholder, i_noun, i_parameter, i_env) =
        (&i.placeholder, &i.noun, &i.parameter, &i.env);
    let digits = match i.digits {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let a = &m.auth;
    let style = match a.style.as_str() {
        "bearer" => quote!(AuthStyle::Bearer),
        "bearer-or-header-pair" => {
            let [h1, h2] = a.headers.clone().unwrap_or_default();
            let [e1, e2] = a.pair_env.clone().unwrap_or_default();
            quote!(AuthStyle::BearerOrHeaderPair { headers: [#h1, #h2], pair_env: [#e1, #e2] })
        }
        "api-key-header" => {
            let header = a.header.clone().unwrap_or_default();
            let optional = a.optional;
            quote!(AuthStyle::ApiKeyHeader { header: #header, optional: #optional })
        }
        _ => {
            let parameter = a.parameter.clone().unwrap_or_default();
            quote!(AuthStyle::PathToken { parameter: #parameter })
        }
    };
    let (a_noun, a_env) = (&a.noun, &a.env);
    let quota = match &m.quota {
        Some(q) => {
            let (requests, per_seconds) = (q.requests, q.per_seconds);
            let per = ident(if q.per == "instance" {
                "Instance"
            } else {
                "Credential"
            });
            quote!(Some(QuotaInfo { requests: #requests, per_seconds: #per_seconds, per: QuotaScope::#per }))
        }
        None => quote!(None),
    };
    let operation = &m.status.operation;
    let path = status_path(doc, operation).ok_or_else(|| {
        format!(
            "specs/{}/provider.toml: [status] operation `{operation}` is not an operationId of the normalized document",
            m.name
        )
    })?;
    for parameter in [Some(&i.parameter), a.parameter.as_ref()]
        .into_iter()
        .flatten()
    {
        if !path.contains(&format!("{{{parameter}}}")) {
            return Err(format!(
                "specs/{}/provider.toml: `{parameter}` is not a path parameter of `{path}`",
                m.name
            ));
        }
    }
    let kind = |kind: &String| {
        let kind: ErrorKind = kind.parse().expect("checked when the manifest was read");
        let kind = ident(&format!("{kind:?}"));
        quote!(ErrorKind::#kind)
    };
    let statuses = m.errors.statuses.iter().map(|(status, k)| {
        let k = kind(k);
        quote!((#status, #k))
    });
    let codes = m.errors.codes.iter().map(|(code, k)| {
        let k = kind(k);
        quote!((#code, #k))
    });
    let code_pointer = opt_str(&m.errors.code);
    let transient = opt_str(&m.errors.transient);
    let messages = &m.errors.messages;
    let document_version = doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let options = m
        .options
        .iter()
        .map(|o| {
            let (name, parameter, describe, env) = (&o.name, &o.parameter, &o.describe, &o.env);
            if !path.contains(&format!("{{{parameter}}}")) {
                return Err(format!(
                    "specs/{}/provider.toml: option `{name}` fills `{parameter}`, which is not a path parameter of `{path}`",
                    m.name
                ));
            }
            let default = o.default.clone().unwrap_or_else(|| document_version.clone());
            Ok(quote!(OptionInfo { name: #name, parameter: #parameter, describe: #describe, env: #env, default: #default }))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let aliases = m
        .fleet_aliases
        .iter()
        .map(|(alias, key)| quote!((#alias, #key)));
    let base_path = &m.simulator.base_path;
    let recorded = opt_str(&m.simulator.recorded_instance);
    let demo = m.demo.iter().map(|d| {
        let (instance, response) = (&d.instance, &d.response);
        let token = opt_str(&d.token);
        let pair = match &d.token_pair {
            Some([a, b]) => quote!(Some([#a, #b])),
            None => quote!(None),
        };
        quote!(DemoInstance { instance: #instance, response: #response, token: #token, token_pair: #pair })
    });
    let doc_line = format!(" What the catalog says about {title} (`Provider::{variant}`).");
    Ok(quote! {
        #[doc = #doc_line]
        static #info_static: ProviderInfo = ProviderInfo {
            name: #name,
            title: #title,
            hosting: Hosting::#hosting,
            summary: #summary,
            docs: &[#(#docs),*],
            client_crate: #client_crate,
            connection_strings: &[#(#forms),*],
            base_url: BaseUrlInfo { default: #base_default, noun: #base_noun, env: #base_env },
            instance: InstanceInfo {
                placeholder: #i_placeholder,
                noun: #i_noun,
                parameter: #i_parameter,
                digits: #digits,
                env: #i_env,
            },
            auth: AuthInfo { style: #style, noun: #a_noun, env: #a_env },
            quota: #quota,
            status: StatusInfo { operation: #operation, path: #path },
            errors: ErrorRules {
                statuses: &[#(#statuses),*],
                code: #code_pointer,
                codes: &[#(#codes),*],
                transient: #transient,
                messages: &[#(#messages),*],
            },
            options: &[#(#options),*],
            fleet_aliases: &[#(#aliases),*],
            simulator: SimulatorInfo { base_path: #base_path, recorded_instance: #recorded },
            demo: &[#(#demo),*],
        };
    })
}

/// The query parameters of the operation `operation_id` whose `x-wa-status-sends` gives the
/// value the status check sends (an overlay sets it, with the reason).
fn status_query(doc: &Value, operation_id: &str) -> Vec<(String, String)> {
    let Some(path) = status_path(doc, operation_id) else {
        return Vec::new();
    };
    let parameters = doc["paths"][&path]
        .as_object()
        .into_iter()
        .flat_map(|item| item.values())
        .filter(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
        .flat_map(|op| {
            op.get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        });
    parameters
        .filter_map(|p| {
            let p = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => doc.pointer(r.trim_start_matches('#'))?.clone(),
                None => p,
            };
            let name = p.get("name")?.as_str()?.to_owned();
            let value = p.get("x-wa-status-sends")?.as_str()?.to_owned();
            Some((name, value))
        })
        .collect()
}

/// The path of the operation `operation_id` in a normalized document.
pub fn status_path(doc: &Value, operation_id: &str) -> Option<String> {
    doc.get("paths")?
        .as_object()?
        .iter()
        .find_map(|(path, item)| {
            item.as_object()?
                .values()
                .any(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
                .then(|| path.clone())
        })
}

fn recording(variant: &Ident, r: &Recording) -> Result<TokenStream, String> {
    let f = &r.file;
    let (name, describe, source, inferred, status) =
        (&r.name, &f.describe, &f.source, f.inferred, f.status);
    let serves = match &f.serves {
        Some(role) => {
            let role = ident(role_name(role)?);
            quote!(Some(crate::Role::#role))
        }
        None => quote!(None),
    };
    let mut headers: Vec<(String, String)> = f
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if !f.body.is_empty() && !headers.iter().any(|(k, _)| k == "content-type") {
        headers.insert(0, ("content-type".into(), "application/json".into()));
    }
    let headers = headers.iter().map(|(k, v)| quote!((#k, #v)));
    let body = &f.body;
    let e = &f.expect;
    let expect = match (&e.state, &e.error) {
        (Some(state), _) => {
            let state: ConnectionState = state.parse().map_err(|e| format!("{name}: {e}"))?;
            let state = ident(&format!("{state:?}"));
            let raw = e.raw_state.clone().unwrap_or_default();
            let action = match &e.action {
                Some(action) => {
                    let action: RequiredAction =
                        action.parse().map_err(|e| format!("{name}: {e}"))?;
                    let action = ident(&format!("{action:?}"));
                    quote!(Some(RequiredAction::#action))
                }
                None => quote!(None),
            };
            let fields = [
                &e.phone,
                &e.jid,
                &e.display_name,
                &e.business_name,
                &e.profile_picture_url,
                &e.connected_at,
            ]
            .map(opt_str);
            let [phone, jid, display_name, business_name, picture, connected_at] = fields;
            let details = e.details.iter().map(|(k, v)| quote!((#k, #v)));
            quote!(crate::Expect::Reading(crate::ExpectedReading {
                state: ConnectionState::#state,
                raw_state: #raw,
                action: #action,
                phone: #phone,
                jid: #jid,
                display_name: #display_name,
                business_name: #business_name,
                profile_picture_url: #picture,
                connected_at: #connected_at,
                details: &[#(#details),*],
            }))
        }
        (None, Some(kind)) => {
            let kind_value: ErrorKind = kind.parse().map_err(|e| format!("{name}: {e}"))?;
            let kind = ident(&format!("{kind_value:?}"));
            let retry_after = match e.retry_after {
                Some(seconds) => quote!(Some(#seconds)),
                None => quote!(None),
            };
            let message = opt_str(&e.message);
            let temporary = e.temporary.unwrap_or(kind_value.is_temporary());
            quote!(crate::Expect::Error(crate::ExpectedError {
                kind: ErrorKind::#kind,
                retry_after: #retry_after,
                message: #message,
                temporary: #temporary,
            }))
        }
        (None, None) => return Err(format!("{name}: no expectation")),
    };
    Ok(quote! {
        crate::Recording {
            provider: Provider::#variant,
            name: #name,
            describe: #describe,
            source: #source,
            inferred: #inferred,
            serves: #serves,
            status: #status,
            headers: &[#(#headers),*],
            body: #body,
            expect: #expect,
        }
    })
}

/// Every fleet-file key: the common ones, each provider's aliases, the header pairs'.
fn fleet_keys(providers: &[Provider]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut add = |key: String| {
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    add("name".into());
    add("provider".into());
    for common in ["base_url", "instance", "token"] {
        add(common.into());
        for p in providers {
            for (alias, key) in &p.manifest.fleet_aliases {
                if key == common {
                    add(alias.clone());
                }
            }
        }
    }
    add("token_env".into());
    for p in providers {
        for option in &p.manifest.options {
            add(option.name.clone());
        }
    }
    for p in providers {
        for (alias, key) in &p.manifest.fleet_aliases {
            if key == "token" {
                add(format!("{alias}_env"));
            }
        }
    }
    for p in providers {
        if let Some(headers) = &p.manifest.auth.headers {
            for header in headers {
                let key = header
                    .trim_start_matches("X-")
                    .to_ascii_lowercase()
                    .replace('-', "_");
                add(key.clone());
                add(format!("{key}_env"));
            }
        }
    }
    keys
}

/// The Rust variant of a provider (its manifest's `type`).
fn variant(provider: &Provider) -> Ident {
    ident(&provider.manifest.type_name)
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn opt_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

fn unparse(tokens: TokenStream) -> Result<String, String> {
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| format!("the generated registry does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// What a new provider must have outside its folders, checked so that a forgotten step is
/// a message that says what to add rather than a feature that silently does nothing.
pub fn check_wiring(root: &Path, providers: &[Provider]) -> Result<(), String> {
    let unified = fs::read_to_string(root.join("crates/unified/Cargo.toml"))
        .map_err(|e| format!("cannot read crates/unified/Cargo.toml: {e}"))?;
    let unified: toml::Table =
        toml::from_str(&unified).map_err(|e| format!("crates/unified/Cargo.toml: {e}"))?;
    let features = unified.get("features").and_then(|f| f.as_table());
    let dependencies = unified.get("dependencies").and_then(|d| d.as_table());
    let default: Vec<&str> = features
        .and_then(|f| f.get("default"))
        .and_then(|d| d.as_array())
        .map(|d| d.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let mut missing = Vec::new();
    for provider in providers {
        let name = &provider.name;
        let krate = provider.client_crate();
        let folder = provider.client_path();
        if !root.join(&folder).join("Cargo.toml").is_file() {
            missing.push(format!(
                "{name}: the client crate {} is missing: create it (Cargo.toml with package `{krate}`, src/lib.rs) as specs/README.md says",
                folder.display()
            ));
            continue;
        }
        if !root.join(&folder).join("src/status.rs").is_file() {
            missing.push(format!(
                "{name}: {}/src/status.rs is missing: it holds the provider's mapping (`impl StatusApi for Client`)",
                folder.display()
            ));
        }
        if !dependencies.is_some_and(|d| d.contains_key(&krate)) {
            missing.push(format!(
                "{name}: crates/unified/Cargo.toml has no dependency `{krate}`: add `{krate} = {{ path = \"../clients/{name}\", version = \"0.1.0\", optional = true }}`"
            ));
        }
        let feature = features.and_then(|f| f.get(name.as_str()));
        let wired = feature.and_then(|f| f.as_array()).is_some_and(|deps| {
            deps.iter()
                .any(|d| d.as_str() == Some(&format!("dep:{krate}")))
        });
        if !wired {
            missing.push(format!(
                "{name}: crates/unified/Cargo.toml has no feature `{name} = [\"dep:{krate}\"]`: add it"
            ));
        }
        if !default.contains(&name.as_str()) {
            missing.push(format!(
                "{name}: the feature `{name}` is not among wa-unified's default features: add it to `default`"
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "a provider is not wired up:\n  {}",
            missing.join("\n  ")
        ))
    }
}
