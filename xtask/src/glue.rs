//! The glue of a client crate, generated from its manifest and its normalized document and
//! appended to its `generated.rs`: where each credential goes (`manifest::CREDENTIALS`),
//! the constructor from a `wa_client_support::Target`, the status call with every
//! argument filled in, and the `StatusApi` implementation that joins them to the mapping
//! written by hand (`crate::status::read`). A new provider therefore writes no code to
//! reach its status call, only the mapping of its answer.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{FnArg, ImplItem, Item, ReturnType, Type};

use crate::manifest::PlacementSpec;
use crate::providers::Provider;
use crate::registry::{opt_str, status_path, status_query, unparse};

/// What fills one parameter of the status call.
enum Source {
    /// The instance.
    Instance,
    /// A credential, by key, with its noun for messages.
    Credential { key: String, noun: String },
    /// A provider option, by name.
    Option(String),
    /// A value the status check always sends (`x-wa-status-sends`).
    Fixed(String),
    /// Nothing: an optional query parameter the check does not send.
    Nothing,
}

/// One parameter of the status call, in progenitor's order, with what fills it.
struct Parameter {
    name: String,
    source: Source,
}

/// The parameters of the status call as progenitor orders its method's arguments: path
/// parameters in the order the path names them, then query parameters by name.
fn parameters(provider: &Provider, doc: &Value) -> Result<Vec<Parameter>, String> {
    let m = &provider.manifest;
    let path = status_path(doc, &m.status.operation).ok_or_else(|| {
        format!(
            "[status] operation `{}` is not in the document",
            m.status.operation
        )
    })?;
    let operation = doc["paths"][&path]
        .as_object()
        .into_iter()
        .flat_map(|item| item.values())
        .find(|op| {
            op.get("operationId").and_then(Value::as_str) == Some(m.status.operation.as_str())
        })
        .ok_or("the status operation is missing")?;
    let resolve = |p: &Value| match p.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.trim_start_matches('#')).cloned(),
        None => Some(p.clone()),
    };
    let declared: Vec<Value> = operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(resolve)
        .collect();
    let sends = status_query(doc, &m.status.operation);
    let source_of = |name: &str, place: &str, required: bool| -> Result<Source, String> {
        if place == "path" && m.instance.is_parameter(name) {
            return Ok(Source::Instance);
        }
        for credential in &m.credentials {
            let placement = credential.placement()?;
            let matches = match (&placement, place) {
                (PlacementSpec::Path(parameter), "path")
                | (PlacementSpec::Query(parameter), "query") => parameter == name,
                _ => false,
            };
            if matches {
                return Ok(Source::Credential {
                    key: credential.key(),
                    noun: credential.noun(),
                });
            }
        }
        if let Some(option) = m.options.iter().find(|o| o.parameter == name) {
            return Ok(Source::Option(option.name.clone()));
        }
        if let Some((_, value)) = sends.iter().find(|(n, _)| n == name) {
            return Ok(Source::Fixed(value.clone()));
        }
        if !required && place == "query" {
            return Ok(Source::Nothing);
        }
        Err(format!(
            "the status call's {place} parameter `{name}` is not the [instance], a [[credential]], an [[option]] or a value it sends (`x-wa-status-sends`)"
        ))
    };
    let mut in_path: Vec<(usize, Parameter)> = Vec::new();
    let mut in_query: Vec<Parameter> = Vec::new();
    for parameter in &declared {
        let name = parameter
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let place = parameter
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let required = parameter
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        match place {
            "path" => {
                let at = path
                    .find(&format!("{{{name}}}"))
                    .ok_or_else(|| format!("path parameter `{name}` is not in `{path}`"))?;
                let source = source_of(name, "path", true)?;
                in_path.push((at, Parameter { name: name.to_owned(), source }));
            }
            "query" => {
                let source = source_of(name, "query", required)?;
                in_query.push(Parameter { name: name.to_owned(), source });
            }
            other => {
                return Err(format!(
                    "the status call's parameter `{name}` is in `{other}`: only path and query parameters are supported (an overlay removes the headers the client sets itself)"
                ))
            }
        }
    }
    in_path.sort_by_key(|(at, _)| *at);
    in_query.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(in_path
        .into_iter()
        .map(|(_, p)| p)
        .chain(in_query)
        .collect())
}

/// The generated method of the status call: its name, its argument types (after `&self`),
/// and its success and error body types.
struct Method {
    name: syn::Ident,
    arguments: Vec<Type>,
    body: Type,
    error: Type,
}

/// Finds the one operation method progenitor generated.
fn method(code: &str) -> Result<Method, String> {
    let file =
        syn::parse_file(code).map_err(|e| format!("the generated client does not parse: {e}"))?;
    for item in &file.items {
        let Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        for item in &block.items {
            let ImplItem::Fn(function) = item else {
                continue;
            };
            if function.sig.asyncness.is_none() {
                continue;
            }
            let arguments = function
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    FnArg::Typed(typed) => Some((*typed.ty).clone()),
                    FnArg::Receiver(_) => None,
                })
                .collect();
            let ReturnType::Type(_, output) = &function.sig.output else {
                continue;
            };
            // `Result<ResponseValue<Body>, Error<ErrorBody>>`
            let generic = |ty: &Type, index: usize| -> Option<Type> {
                let Type::Path(path) = ty else { return None };
                let last = path.path.segments.last()?;
                let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
                    return None;
                };
                match arguments.args.iter().nth(index)? {
                    syn::GenericArgument::Type(ty) => Some(ty.clone()),
                    _ => None,
                }
            };
            let body = generic(output, 0).and_then(|t| generic(&t, 0));
            let error = generic(output, 1).and_then(|t| generic(&t, 0));
            if let (Some(body), Some(error)) = (body, error) {
                return Ok(Method {
                    name: function.sig.ident.clone(),
                    arguments,
                    body,
                    error,
                });
            }
        }
    }
    Err("the generated client has no operation method".into())
}

/// Whether a type is `Option<...>`.
fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Whether a type is a reference (`&str`).
fn is_reference(ty: &Type) -> bool {
    matches!(ty, Type::Reference(_))
}

/// The expression that fills one argument of type `ty` from `target`.
fn argument(parameter: &Parameter, ty: &Type) -> TokenStream {
    let optional = is_option(ty);
    let inner = match optional {
        true => match ty {
            Type::Path(path) => match &path.path.segments.last().map(|s| &s.arguments) {
                Some(syn::PathArguments::AngleBracketed(a)) => match a.args.first() {
                    Some(syn::GenericArgument::Type(inner)) => inner.clone(),
                    _ => ty.clone(),
                },
                _ => ty.clone(),
            },
            _ => ty.clone(),
        },
        false => ty.clone(),
    };
    // A text argument takes the value as it is; any other type is parsed from it.
    let text = is_reference(&inner);
    let name = &parameter.name;
    let convert = |value: TokenStream, what: String| -> TokenStream {
        if text {
            value
        } else {
            let message = format!("the {what} is not a value of the type the status call takes");
            quote! {
                #value.parse().map_err(|_| Error::InvalidRequest(#message.to_owned()))?
            }
        }
    };
    match &parameter.source {
        Source::Instance => {
            let value = convert(
                quote!(target.instance.as_str()),
                format!("instance (`{name}`)"),
            );
            match optional {
                true => quote!(Some(#value)),
                false => value,
            }
        }
        Source::Credential { key, noun } => {
            let get = quote!(target.credential(#key).map(|secret| secret.expose()));
            match optional {
                true => quote!(#get),
                false => {
                    let message = format!("the {noun} is missing");
                    convert(
                        quote!(#get.ok_or_else(|| Error::InvalidRequest(#message.to_owned()))?),
                        noun.clone(),
                    )
                }
            }
        }
        Source::Option(option) => {
            let message = format!("the option `{option}` is missing");
            let get = quote!(target.option(#option).ok_or_else(|| Error::InvalidRequest(#message.to_owned()))?);
            let value = convert(get, format!("option `{option}`"));
            match optional {
                true => quote!(Some(#value)),
                false => value,
            }
        }
        Source::Fixed(fixed) => {
            let value = convert(quote!(#fixed), format!("value of `{name}`"));
            match optional {
                true => quote!(Some(#value)),
                false => value,
            }
        }
        Source::Nothing => quote!(None),
    }
}

/// The glue appended to a client's `generated.rs`: the manifest's facts, the constructor,
/// the status call and the `StatusApi` implementation.
pub fn client_glue(provider: &Provider, normalized: &Value, code: &str) -> Result<String, String> {
    let m = &provider.manifest;
    let in_provider = |e: String| format!("specs/{}: {e}", provider.name);
    let name = &m.name;
    let default_base_url = opt_str(&m.base_url.default);
    let placements = m
        .credentials
        .iter()
        .map(|c| {
            let (key, noun) = (c.key(), c.noun());
            let placement = match c.placement()? {
                PlacementSpec::Header { name, prefix } => {
                    quote!(wa_client_support::Placement::Header { name: #name, prefix: #prefix })
                }
                PlacementSpec::Path(parameter) => {
                    quote!(wa_client_support::Placement::Path { parameter: #parameter })
                }
                PlacementSpec::Query(parameter) => {
                    quote!(wa_client_support::Placement::Query { parameter: #parameter })
                }
                PlacementSpec::BasicUser => {
                    quote!(wa_client_support::Placement::Basic(wa_client_support::BasicPart::User))
                }
                PlacementSpec::BasicPassword => quote!(wa_client_support::Placement::Basic(
                    wa_client_support::BasicPart::Password
                )),
            };
            Ok(quote!(wa_client_support::CredentialPlacement { key: #key, noun: #noun, placement: #placement }))
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(in_provider)?;
    let parameters = parameters(provider, normalized).map_err(in_provider)?;
    let method = method(code).map_err(in_provider)?;
    if method.arguments.len() != parameters.len() {
        return Err(in_provider(format!(
            "the generated `{}` takes {} arguments, the document declares {} parameters",
            method.name,
            method.arguments.len(),
            parameters.len()
        )));
    }
    let arguments: Vec<TokenStream> = parameters
        .iter()
        .zip(&method.arguments)
        .map(|(parameter, ty)| argument(parameter, ty))
        .collect();
    let (call, body, error) = (&method.name, &method.body, &method.error);
    let path = status_path(normalized, &m.status.operation).unwrap_or_default();
    let status_doc = format!(
        " The status call, `GET {path}`, for `target`: its instance, and the credentials and options its URL carries."
    );
    let connect_doc = format!(
        " A client for `target`'s instance of {}, each credential placed as the provider's manifest says (none is ever shown by `Debug`).",
        m.title
    );
    let digits = match m.instance.digits {
        Some(digits) => quote! {
            /// The instance is a number of at most this many digits.
            pub const INSTANCE_DIGITS: u8 = #digits;
        },
        None => quote!(),
    };
    let objects = crate::tolerant::objects_read(normalized, &m.status.operation, &m.status.reads)
        .map_err(in_provider)?;
    let status_mod = format_ident!("status");
    // A status call that takes nothing from the target (its instance named by a header
    // credential, say, and only fixed values in its query) leaves the argument unused.
    let uses_target = parameters.iter().any(|p| {
        matches!(
            p.source,
            Source::Instance | Source::Credential { .. } | Source::Option(_)
        )
    });
    let target_arg = match uses_target {
        true => format_ident!("target"),
        false => format_ident!("_target"),
    };
    let tokens = quote! {
        /// Facts from the provider's `provider.toml` that the glue uses.
        pub mod manifest {
            /// The provider's wire name.
            pub const NAME: &str = #name;
            /// The production base URL; `None` when each customer or server has its own.
            pub const DEFAULT_BASE_URL: Option<&str> = #default_base_url;
            /// Every credential the provider takes, and where it goes.
            pub const CREDENTIALS: &[wa_client_support::CredentialPlacement] = &[#(#placements),*];
            /// Where the success body holds an object the mapping reads (JSON Pointers, `*`
            /// for every item): an array there is refused, not read as that object.
            pub const OBJECTS: &[&str] = &[#(#objects),*];
            #digits
        }

        impl Client {
            #[doc = #connect_doc]
            pub fn for_target(
                target: &wa_client_support::Target,
                transport: &wa_client_support::Transport,
            ) -> Result<Client, wa_client_support::BuildError> {
                let context = crate::Context::new(manifest::CREDENTIALS, &target.credentials, transport)?
                    .with_objects(manifest::OBJECTS);
                Client::with_context(&target.base_url, context, transport)
            }

            #[doc = #status_doc]
            pub async fn status(
                &self,
                #target_arg: &wa_client_support::Target,
            ) -> Result<ResponseValue<#body>, Error<#error>> {
                self.#call(#(#arguments),*).await
            }
        }

        impl wa_client_support::StatusApi for Client {
            type Body = #body;
            type ErrorBody = #error;
            const OBJECTS: &'static [&'static str] = manifest::OBJECTS;

            fn connect(
                target: &wa_client_support::Target,
                transport: &wa_client_support::Transport,
            ) -> Result<Client, wa_client_support::BuildError> {
                Client::for_target(target, transport)
            }

            async fn fetch(
                &self,
                target: &wa_client_support::Target,
            ) -> Result<ResponseValue<#body>, Error<#error>> {
                self.status(target).await
            }

            fn read(body: &#body) -> wa_client_support::wa_model::Reading {
                crate::#status_mod::read(body)
            }
        }
    };
    unparse(tokens)
}
