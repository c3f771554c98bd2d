//! The registry: everything that spans providers, generated from their folders. The
//! catalog (`crates/providers/src/generated.rs`) holds each provider's facts and recorded
//! responses; the dispatch (`crates/unified/src/generated.rs`) joins each provider's cargo
//! feature to its client. A provider folder is therefore the only place a provider is
//! described; adding one adds its entries here on the next `cargo xtask codegen`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;
use wa_model::{ConnectionState, ErrorKind, RequiredAction};

use crate::manifest::{parse_form, role_name, PlacementSpec, Recording};
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
            Client::#variant(client) => Box::pin(backend::observe(client, config)).await
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

            /// One attempt at reading the instance's state. Each provider's request is boxed,
            /// at its own size: unboxed, every check of a fleet would be as large as the
            /// largest provider's request (kilobytes), and be copied whole each time it moves
            /// (into a fleet's queue, say).
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
            let optional = &form.optional;
            let tail = opt_str(&form.tail);
            Ok(quote! {
                ConnectionForm { text: #text, userinfo: &[#(#userinfo),*], optional: &[#(#optional),*], tail: #tail }
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let base_default = opt_str(&m.base_url.default);
    let (base_noun, base_env) = (&m.base_url.noun, &m.base_url.env);
    let i = &m.instance;
    let (i_placeholder, i_noun, i_parameter, i_env) = (
        opt_str(&i.placeholder),
        &i.noun,
        opt_str(&i.parameter),
        opt_str(&i.env),
    );
    // The catalog names the credential by its key, as everything that reads credentials does.
    let named_by = i
        .named_by
        .as_ref()
        .and_then(|placeholder| m.credentials.iter().find(|c| c.placeholder == *placeholder))
        .map(|c| c.key());
    let i_named_by = opt_str(&named_by);
    let digits = match i.digits {
        Some(d) => quote!(Some(#d)),
        None => quote!(None),
    };
    let credentials = m
        .credentials
        .iter()
        .map(|c| {
            let (placeholder, key, noun, env) = (&c.placeholder, c.key(), c.noun(), &c.env);
            let placement = match c.placement()? {
                PlacementSpec::Header { name, prefix } => {
                    quote!(Placement::Header { name: #name, prefix: #prefix })
                }
                PlacementSpec::Path(parameter) => quote!(Placement::Path { parameter: #parameter }),
                PlacementSpec::Query(parameter) => quote!(Placement::Query { parameter: #parameter }),
                PlacementSpec::BasicUser => quote!(Placement::BasicUser),
                PlacementSpec::BasicPassword => quote!(Placement::BasicPassword),
            };
            Ok(quote!(CredentialInfo { placeholder: #placeholder, key: #key, noun: #noun, env: #env, placement: #placement }))
        })
        .collect::<Result<Vec<_>, String>>()?;
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
    let sends: Vec<TokenStream> = status_query(doc, operation)
        .iter()
        .map(|(name, value)| quote!((#name, #value)))
        .collect();
    let path = status_path(doc, operation).ok_or_else(|| {
        format!(
            "specs/{}/provider.toml: [status] operation `{operation}` is not an operationId of the normalized document",
            m.name
        )
    })?;
    let in_path = m.credentials.iter().filter_map(|c| c.path.as_ref());
    for parameter in i.parameter.iter().chain(in_path) {
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
    let states = m
        .errors
        .states
        .iter()
        .map(|e| {
            let (status, contains) = (e.status, &e.contains);
            let state: ConnectionState = e.state.parse().map_err(|e| format!("{}: {e}", m.name))?;
            let state = ident(&format!("{state:?}"));
            Ok(quote!(ErrorState { status: #status, contains: #contains, state: ConnectionState::#state }))
        })
        .collect::<Result<Vec<_>, String>>()?;
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
        let credentials = d.credentials.iter().map(|(k, v)| quote!((#k, #v)));
        quote!(DemoInstance { instance: #instance, response: #response, credentials: &[#(#credentials),*] })
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
                named_by: #i_named_by,
            },
            auth: AuthInfo { credentials: &[#(#credentials),*] },
            quota: #quota,
            status: StatusInfo { operation: #operation, path: #path, sends: &[#(#sends),*] },
            errors: ErrorRules {
                statuses: &[#(#statuses),*],
                code: #code_pointer,
                codes: &[#(#codes),*],
                transient: #transient,
                messages: &[#(#messages),*],
                states: &[#(#states),*],
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
pub fn status_query(doc: &Value, operation_id: &str) -> Vec<(String, String)> {
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

/// Every fleet-file key: the common ones, each provider's aliases, options and credentials
/// (each credential also with `_env`, the name of a variable that holds it).
fn fleet_keys(providers: &[Provider]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut add = |key: String| {
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    for common in [
        "name",
        "provider",
        "base_url",
        "instance",
        "token",
        "token_env",
    ] {
        add(common.into());
    }
    for p in providers {
        for (alias, key) in &p.manifest.fleet_aliases {
            add(alias.clone());
            if p.manifest.credentials.iter().any(|c| c.key() == *key) {
                add(format!("{alias}_env"));
            }
        }
        for credential in &p.manifest.credentials {
            add(credential.key());
            add(format!("{}_env", credential.key()));
        }
        for option in &p.manifest.options {
            add(option.name.clone());
        }
    }
    keys
}

/// The Rust variant of a provider (its manifest's `type`).
pub(crate) fn variant(provider: &Provider) -> Ident {
    ident(&provider.manifest.type_name)
}

pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

pub(crate) fn opt_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

pub(crate) fn unparse(tokens: TokenStream) -> Result<String, String> {
    let file = syn::parse2::<syn::File>(tokens)
        .map_err(|e| format!("the generated registry does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}
