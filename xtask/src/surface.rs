//! The public surface of a generated client: every type, field, variant, method and
//! signature, without bodies or doc comments. Reviewers read its snapshot diff to see what a
//! spec change does to the API users program against.

use syn::{Attribute, File, ImplItem, Item, Visibility};

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
            Some(Item::Impl(i))
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
