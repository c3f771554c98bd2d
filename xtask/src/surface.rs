//! The public surface of a generated client, or of a hand-written crate: every type,
//! field, variant, function, method and signature, without bodies or doc comments.
//! Reviewers read its snapshot diff to see what a spec change does to the API users program
//! against; a snapshot of `wa-unified`'s surface catches a change to its public API that
//! was not meant.

use std::fs;
use std::path::{Path, PathBuf};

use syn::{Attribute, File, ImplItem, Item, TraitItem, Visibility};

/// Renders the public surface of a generated module as Rust-like text.
pub fn public_surface(source: &str) -> Result<String, String> {
    let file: File = syn::parse_file(source).map_err(|e| format!("not valid Rust: {e}"))?;
    let items = surface_items(file.items);
    Ok(prettyplease::unparse(&File {
        shebang: None,
        attrs: Vec::new(),
        items,
    }))
}

/// The public surface of the crate whose `src/` is `src`: each module file reached from
/// `lib.rs` (test modules left out), in path order, each under a `// src/...` line.
pub fn crate_surface(src: &Path) -> Result<String, String> {
    let mut files = Vec::new();
    collect_modules(src, &src.join("lib.rs"), &mut files)?;
    files.sort();
    let mut out = String::new();
    for path in files {
        let source = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let surface = public_surface(&source).map_err(|e| format!("{}: {e}", path.display()))?;
        let relative = path
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(&path);
        out.push_str(&format!("// {}\n{surface}\n", relative.display()));
    }
    Ok(out)
}

/// `file` and every module file it declares (`mod x;`), recursively.
fn collect_modules(src: &Path, file: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    files.push(file.to_path_buf());
    let source =
        fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let parsed: File =
        syn::parse_file(&source).map_err(|e| format!("{}: not valid Rust: {e}", file.display()))?;
    // A module's children live beside `lib.rs` and `mod.rs`, else in a folder of its name.
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let dir = match stem {
        "lib" | "mod" => file.parent().unwrap_or(src).to_path_buf(),
        _ => file.with_extension(""),
    };
    for item in parsed.items {
        let Item::Mod(module) = item else { continue };
        let is_test = module.attrs.iter().any(|a| {
            a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
        });
        if module.content.is_some() || is_test {
            continue;
        }
        let name = module.ident.to_string();
        let flat = dir.join(format!("{name}.rs"));
        let nested = dir.join(&name).join("mod.rs");
        let child = if flat.is_file() { flat } else { nested };
        collect_modules(src, &child, files)?;
    }
    Ok(())
}

fn surface_items(items: Vec<Item>) -> Vec<Item> {
    items.into_iter().filter_map(surface_item).collect()
}

fn surface_item(item: Item) -> Option<Item> {
    match item {
        Item::Struct(mut s) if is_public(&s.vis) => {
            s.attrs = kept_attrs(s.attrs);
            s.fields
                .iter_mut()
                .for_each(|f| f.attrs = kept_attrs(std::mem::take(&mut f.attrs)));
            Some(Item::Struct(s))
        }
        Item::Enum(mut e) if is_public(&e.vis) => {
            e.attrs = kept_attrs(e.attrs);
            for variant in &mut e.variants {
                variant.attrs = kept_attrs(std::mem::take(&mut variant.attrs));
                variant
                    .fields
                    .iter_mut()
                    .for_each(|f| f.attrs = kept_attrs(std::mem::take(&mut f.attrs)));
            }
            Some(Item::Enum(e))
        }
        Item::Mod(mut m) if is_public(&m.vis) => {
            m.attrs.clear();
            if let Some((brace, content)) = m.content.take() {
                m.content = Some((brace, surface_items(content)));
            }
            Some(Item::Mod(m))
        }
        Item::Fn(mut f) if is_public(&f.vis) => {
            f.attrs.clear();
            f.block = syn::parse_quote!({});
            Some(Item::Fn(f))
        }
        Item::Trait(mut t) if is_public(&t.vis) => {
            t.attrs.clear();
            for member in &mut t.items {
                if let TraitItem::Fn(f) = member {
                    f.attrs.clear();
                    f.default = None;
                    f.semi_token = Some(Default::default());
                }
            }
            Some(Item::Trait(t))
        }
        Item::Type(mut t) if is_public(&t.vis) => {
            t.attrs.clear();
            Some(Item::Type(t))
        }
        Item::Const(mut c) if is_public(&c.vis) => {
            c.attrs.clear();
            Some(Item::Const(c))
        }
        Item::Use(mut u) if is_public(&u.vis) => {
            u.attrs.clear();
            Some(Item::Use(u))
        }
        Item::Impl(mut i) => {
            let is_trait_impl = i.trait_.is_some();
            i.attrs = kept_attrs(i.attrs);
            i.items = i
                .items
                .into_iter()
                .filter_map(|member| match member {
                    ImplItem::Fn(mut f) if is_trait_impl || is_public(&f.vis) => {
                        f.attrs.clear();
                        f.block = syn::parse_quote!({});
                        Some(ImplItem::Fn(f))
                    }
                    ImplItem::Type(mut t) => {
                        t.attrs.clear();
                        Some(ImplItem::Type(t))
                    }
                    _ => None,
                })
                .collect();
            // An inherent impl with nothing public is no part of the surface.
            (is_trait_impl || !i.items.is_empty()).then_some(Item::Impl(i))
        }
        _ => None,
    }
}

fn is_public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// Keeps the attributes that change behaviour (derives, serde's wire names and defaults)
/// and drops documentation and lint settings.
fn kept_attrs(attrs: Vec<Attribute>) -> Vec<Attribute> {
    attrs
        .into_iter()
        .filter(|a| a.path().is_ident("derive") || a.path().is_ident("serde"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_signatures_fields_and_wire_attributes_only() {
        let source = r#"
            /// A doc comment.
            #[derive(Debug, serde::Deserialize)]
            pub struct Body {
                /// The state.
                #[serde(rename = "stateInstance")]
                pub state_instance: String,
                hidden: u8,
            }
            struct Private;
            #[allow(clippy::all)]
            impl Client {
                /// Sends a request.
                pub async fn get_state<'a>(&'a self, id: i64) -> Result<(), Error> { todo!() }
                fn helper(&self) {}
            }
            impl From<&Body> for Body { fn from(value: &Body) -> Self { value.clone() } }
        "#;
        assert_eq!(
            public_surface(source).unwrap(),
            "#[derive(Debug, serde::Deserialize)]\n\
             pub struct Body {\n    \
                 #[serde(rename = \"stateInstance\")]\n    \
                 pub state_instance: String,\n    \
                 hidden: u8,\n\
             }\n\
             impl Client {\n    \
                 pub async fn get_state<'a>(&'a self, id: i64) -> Result<(), Error> {}\n\
             }\n\
             impl From<&Body> for Body {\n    \
                 fn from(value: &Body) -> Self {}\n\
             }\n"
        );
    }
}
