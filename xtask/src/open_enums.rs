//! The general pass that keeps generated types open to string values the vendor adds later.
//!
//! Vendors add states over time (a vendor's other products may already have more). progenitor turns a string `enum` into a Rust enum that rejects any other
//! value, so a new state would turn a perfectly good answer into a decoding error. This pass
//! removes `enum` from string schemas and writes the documented values into the schema's
//! description, so they still appear in the generated documentation, and records them under
//! `x-documented-values` for tools that read the normalized document.

use serde_json::{json, Value};

/// Opens every string enum in the document; returns how many it opened.
pub fn open_string_enums(doc: &mut Value) -> usize {
    let mut opened = 0;
    visit(doc, &mut opened);
    opened
}

fn visit(value: &mut Value, opened: &mut usize) {
    match value {
        Value::Object(map) => {
            let is_string_enum = map.get("type").is_some_and(|t| t == "string")
                && map
                    .get("enum")
                    .and_then(Value::as_array)
                    .is_some_and(|values| values.iter().all(Value::is_string));
            if is_string_enum {
                let values = map.remove("enum").unwrap_or_default();
                let listed = values
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let note = format!(
                    "Documented values: {listed}. Other values may appear and are accepted."
                );
                let description = match map.get("description").and_then(Value::as_str) {
                    Some(existing) => format!("{existing}\n\n{note}"),
                    None => note,
                };
                map.insert("description".into(), json!(description));
                map.insert("x-documented-values".into(), values);
                *opened += 1;
            }
            for (key, member) in map.iter_mut() {
                // Example values and extensions are data, not schemas.
                if key != "example" && key != "examples" && !key.starts_with("x-") {
                    visit(member, opened);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| visit(item, opened)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_enums_become_documented_strings() {
        let mut doc = json!({"components": {"schemas": {
            "Health": {"type": "object", "properties": {
                "status": {"type": "string", "enum": ["WORKING", "FAILED"], "description": "Instance status."},
                "kind": {"type": "string", "enum": ["a"]},
                "level": {"type": "integer", "enum": [1, 2]}
            }}
        }}});
        assert_eq!(open_string_enums(&mut doc), 2);
        assert_eq!(
            doc["components"]["schemas"]["Health"]["properties"],
            json!({
                "status": {"type": "string", "description": "Instance status.\n\nDocumented values: `WORKING`, `FAILED`. Other values may appear and are accepted.", "x-documented-values": ["WORKING", "FAILED"]},
                "kind": {"type": "string", "description": "Documented values: `a`. Other values may appear and are accepted.", "x-documented-values": ["a"]},
                "level": {"type": "integer", "enum": [1, 2]}
            })
        );
    }
}
