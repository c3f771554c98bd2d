//! The general pass that keeps only the operations a provider declares, and what they
//! reference.
//!
//! A vendor may publish one document for its whole platform (Meta's has 131 operations in
//! 1.1 MB); a status check needs one. Generating everything would give a large client
//! slowly, and a component the selected operations never use could still break the
//! generator. This pass removes every other operation, then every component nothing left
//! references (transitively), the tags no kept operation uses, and the component sections
//! OpenAPI does not define (which 3.0 readers reject).

use std::collections::BTreeSet;

use serde_json::Value;

/// The component sections of OpenAPI 3.0 and 3.1.
const SECTIONS: [&str; 10] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
];

/// The keys of a path item that are operations.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keeps the operations whose `operationId` is in `keep` and what they reference; returns
/// how many operations it removed. Fails when an operation of `keep` is not in the document.
pub fn select_operations(doc: &mut Value, keep: &[&str]) -> Result<usize, String> {
    let mut removed = 0;
    let mut found = BTreeSet::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            item.retain(|key, operation| {
                if !METHODS.contains(&key.as_str()) {
                    return true;
                }
                let id = operation.get("operationId").and_then(Value::as_str);
                match id.filter(|id| keep.contains(id)) {
                    Some(id) => {
                        found.insert(id.to_owned());
                        true
                    }
                    None => {
                        removed += 1;
                        false
                    }
                }
            });
        }
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|item| item.keys().any(|k| METHODS.contains(&k.as_str())))
        });
    }
    if let Some(missing) = keep.iter().find(|id| !found.contains(**id)) {
        return Err(format!("the document has no operation `{missing}` to keep"));
    }
    prune_components(doc);
    prune_tags(doc);
    Ok(removed)
}

/// Removes every component no path (or kept component) references.
fn prune_components(doc: &mut Value) {
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<Value> = Vec::new();
    if let Some(paths) = doc.get("paths") {
        pending.push(paths.clone());
    }
    let mut schemes = BTreeSet::new();
    collect_security(doc.get("security"), &mut schemes);
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for operation in item.as_object().into_iter().flat_map(|i| i.values()) {
                collect_security(operation.get("security"), &mut schemes);
            }
        }
    }
    while let Some(value) = pending.pop() {
        let mut refs = Vec::new();
        collect_refs(&value, &mut refs);
        for reference in refs {
            if referenced.insert(reference.clone()) {
                if let Some(target) = doc.pointer(reference.trim_start_matches('#')) {
                    pending.push(target.clone());
                }
            }
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    components
        .retain(|section, _| SECTIONS.contains(&section.as_str()) || section.starts_with("x-"));
    for (section, entries) in components.iter_mut() {
        let Some(entries) = entries.as_object_mut() else {
            continue;
        };
        entries.retain(|name, _| {
            if section == "securitySchemes" {
                return schemes.contains(name);
            }
            referenced.contains(&format!("#/components/{section}/{name}"))
        });
    }
    components.retain(|_, entries| entries.as_object().is_none_or(|e| !e.is_empty()));
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                refs.push(reference.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

fn collect_security(security: Option<&Value>, schemes: &mut BTreeSet<String>) {
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        if let Some(requirement) = requirement.as_object() {
            schemes.extend(requirement.keys().cloned());
        }
    }
}

/// Drops the top-level tags no kept operation uses.
fn prune_tags(doc: &mut Value) {
    let mut used = BTreeSet::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for operation in item.as_object().into_iter().flat_map(|i| i.values()) {
                for tag in operation
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(tag) = tag.as_str() {
                        used.insert(tag.to_owned());
                    }
                }
            }
        }
    }
    if let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        tags.retain(|tag| {
            tag.get("name")
                .and_then(Value::as_str)
                .is_some_and(|name| used.contains(name))
        });
    }
    if let Some(root) = doc.as_object_mut() {
        let empty = root
            .get("tags")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        if empty {
            root.remove("tags");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_kept_operations_and_what_they_reference_remain() {
        let mut doc = json!({
            "tags": [{"name": "Kept"}, {"name": "Gone"}],
            "paths": {
                "/a": {"get": {"operationId": "keep", "tags": ["Kept"], "security": [{"bearer": []}],
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}},
                    "post": {"operationId": "drop", "tags": ["Gone"]}},
                "/b": {"get": {"operationId": "other", "responses": {"200": {"$ref": "#/components/responses/B"}}}}
            },
            "components": {
                "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/Nested"}}}, "Nested": {}, "Unused": {}},
                "parameters": {"Id": {"name": "id"}, "Other": {}},
                "responses": {"B": {}},
                "securitySchemes": {"bearer": {}, "basic": {}},
                "parameterGroups": {"Whatever": {}}
            }
        });
        assert_eq!(select_operations(&mut doc, &["keep"]), Ok(2));
        assert_eq!(
            doc["paths"].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["/a"]
        );
        assert_eq!(
            doc["paths"]["/a"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["get"]
        );
        assert_eq!(
            doc["components"],
            json!({
                "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/Nested"}}}, "Nested": {}},
                "parameters": {"Id": {"name": "id"}},
                "securitySchemes": {"bearer": {}}
            })
        );
        assert_eq!(doc["tags"], json!([{"name": "Kept"}]));
    }

    #[test]
    fn a_missing_operation_is_an_error() {
        let mut doc = json!({"paths": {"/a": {"get": {"operationId": "a"}}}});
        assert_eq!(
            select_operations(&mut doc, &["b"]),
            Err("the document has no operation `b` to keep".into())
        );
    }
}
