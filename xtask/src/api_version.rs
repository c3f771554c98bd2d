//! The pass over progenitor's output that leaves out the `api-version` header.
//!
//! progenitor adds `api-version: <info.version>` to every request it generates, with no
//! setting to turn it off. The vendors did not ask for it and need not learn which
//! document version a client came from, so the statement that appends it is removed from
//! each generated method, rather than removing the header again from every request at run
//! time.

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Block, Expr, Stmt};

/// Removes every `header_map.append(HeaderName::from_static("api-version"), ...)` statement
/// and returns how many it removed.
pub fn remove_api_version_header(file: &mut syn::File) -> usize {
    let mut remover = Remover { removed: 0 };
    remover.visit_file_mut(file);
    remover.removed
}

struct Remover {
    removed: usize,
}

impl VisitMut for Remover {
    fn visit_block_mut(&mut self, block: &mut Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !appends_api_version(stmt));
        let removed = before - block.stmts.len();
        if removed > 0
            && !block
                .to_token_stream()
                .to_string()
                .contains("header_map . append")
        {
            // Nothing else is appended: the map need not be mutable any more, and a
            // left-over `mut` would be an `unused_mut` warning in the generated crate.
            make_header_map_immutable(block);
        }
        self.removed += removed;
        syn::visit_mut::visit_block_mut(self, block);
    }
}

fn make_header_map_immutable(block: &mut Block) {
    for stmt in &mut block.stmts {
        if let Stmt::Local(local) = stmt {
            if let syn::Pat::Ident(binding) = &mut local.pat {
                if binding.ident == "header_map" {
                    binding.mutability = None;
                }
            }
        }
    }
}

fn appends_api_version(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && call.args.first().is_some_and(|name| {
            name.to_token_stream()
                .to_string()
                .contains("\"api-version\"")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_api_version_append_is_removed() {
        let mut file: syn::File = syn::parse_quote! {
            fn request() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                header_map.append("x-kept", value.to_string().try_into()?);
            }
        };
        assert_eq!(remove_api_version_header(&mut file), 1);
        let expected: syn::File = syn::parse_quote! {
            fn request() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append("x-kept", value.to_string().try_into()?);
            }
        };
        assert_eq!(file, expected);
    }

    #[test]
    fn a_map_left_without_appends_is_no_longer_mutable() {
        let mut file: syn::File = syn::parse_quote! {
            fn request() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                send(header_map);
            }
        };
        assert_eq!(remove_api_version_header(&mut file), 1);
        let expected: syn::File = syn::parse_quote! {
            fn request() {
                let header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                send(header_map);
            }
        };
        assert_eq!(file, expected);
    }
}
