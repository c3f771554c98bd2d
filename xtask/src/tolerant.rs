//! The general pass that makes every generated client a tolerant reader.
//!
//! Real servers send `null`, `{}`, `[]`, a value of another type, or nothing, in fields their
//! documents describe otherwise (a self-hosted server answers `"config": null` for every
//! session started without a configuration). A typed client as strict as its document turns one such field
//! into an unreadable answer, although the mapping never looks at it. So the guarantee is:
//! **a generated client decodes any answer whose fields the mapping reads are well-formed,
//! whatever the other fields hold.**
//!
//! The manifest says which fields the mapping reads (`[status] reads`, JSON Pointers into the
//! success body; `*` stands for every item of an array or value of a map; a pointer covers
//! everything under it). This pass walks every response schema of the status call from
//! its root, following `$ref`, `allOf`, `oneOf`, `anyOf`, `items` and `additionalProperties`:
//!
//! - a property the mapping reads keeps the document's type; when it is optional it becomes
//!   `nullable`, so that `null` reads as absent;
//! - every other property (every property of an error body, which the mapping reads from its
//!   raw bytes) is no longer required and is marked `x-wa-tolerant`. [`for_generator`] turns
//!   the mark into the type `Option<wa_client_support::Tolerant<T>>`: absent and `null` are
//!   `None`, a value of the document's type `T` is `Typed`, and anything else is kept as
//!   `Other`. Properties inside an unread one are unread too.
//!
//! A component reached from several places is read where any of them reads it. A pointer
//! that names no property of the schema is an error, so the declaration cannot drift from
//! the document.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

/// The mark on a property the mapping does not read.
pub const TOLERANT: &str = "x-wa-tolerant";

/// The Rust type of a tolerant property, in the generated clients.
const TOLERANT_TYPE: &str = "wa_client_support::Tolerant";

/// The crate that defines it, for progenitor's `with_crate`.
pub const TOLERANT_CRATE: &str = "wa-client-support";

/// A path below some schema, as the segments of a JSON Pointer.
type Path = Vec<String>;

/// Marks the status call's responses in `doc`: `reads` are the pointers the mapping reads
/// in its success body. Returns how many properties it marked tolerant.
pub fn mark_tolerant(
    doc: &mut Value,
    operation_id: &str,
    reads: &[String],
) -> Result<usize, String> {
    let reads: BTreeSet<Path> = reads
        .iter()
        .map(|p| parse_pointer(p))
        .collect::<Result<_, _>>()?;
    let operation = find_operation(doc, operation_id)
        .ok_or_else(|| format!("no operation `{operation_id}` to mark"))?;
    // Every JSON body of the status call, and what the mapping reads in it.
    let mut bodies: Vec<(String, String, BTreeSet<Path>)> = Vec::new();
    let responses = operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        let content = response.get("content").and_then(Value::as_object);
        for (media_type, media) in content.into_iter().flatten() {
            if media_type.contains("json") && media.get("schema").is_some() {
                let read = match status.starts_with('2') {
                    true => reads.clone(),
                    false => BTreeSet::new(),
                };
                bodies.push((status.clone(), media_type.clone(), read));
            }
        }
    }

    // First, what each component is read for, over every place that reaches it.
    let schemas = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    let mut walk = Walk {
        schemas: &schemas,
        components: BTreeMap::new(),
        seen: BTreeSet::new(),
        unmatched: reads.clone(),
    };
    for (status, media_type, read) in &bodies {
        let schema = &operation["responses"][status]["content"][media_type]["schema"];
        walk.collect(schema, read, &[]);
    }
    if let Some(missing) = walk.unmatched.iter().next() {
        return Err(format!(
            "[status] reads `{}`, which is no property of the success body of `{operation_id}`",
            format_pointer(missing)
        ));
    }
    let components = walk.components;

    // Then every schema is marked, each component once with the union of its reads.
    let mut marked = 0;
    if let Some(operation) = find_operation_mut(doc, operation_id) {
        for (status, media_type, read) in &bodies {
            let schema = &mut operation["responses"][status]["content"][media_type]["schema"];
            marked += mark(schema, read);
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, read) in &components {
            if let Some(schema) = schemas.get_mut(name) {
                marked += mark(schema, read);
            }
        }
    }
    Ok(marked)
}

/// The first walk: which paths each component is read for, and which declared paths name
/// no property.
struct Walk<'a> {
    schemas: &'a Value,
    /// Every component reached, with the union of the paths read below it.
    components: BTreeMap<String, BTreeSet<Path>>,
    /// The (component, paths) visits made, so that a recursive schema ends.
    seen: BTreeSet<(String, BTreeSet<Path>)>,
    /// The declared paths no property has matched yet.
    unmatched: BTreeSet<Path>,
}

impl Walk<'_> {
    /// Walks `schema`, which sits at `at` in the success body, with the paths read below it.
    fn collect(&mut self, schema: &Value, reads: &BTreeSet<Path>, at: &[String]) {
        let Some(map) = schema.as_object() else {
            return;
        };
        if let Some(name) = component_name(map) {
            self.components
                .entry(name.to_owned())
                .or_default()
                .extend(reads.iter().cloned());
            if self.seen.insert((name.to_owned(), reads.clone())) {
                let target = self.schemas.get(name).cloned().unwrap_or(Value::Null);
                self.collect(&target, reads, at);
            }
            return;
        }
        for keyword in ["allOf", "oneOf", "anyOf"] {
            for member in map
                .get(keyword)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.collect(member, reads, at);
            }
        }
        for (name, member) in members(map) {
            let here: Path = at.iter().cloned().chain([name.to_owned()]).collect();
            let below = below(reads, name);
            if below.contains(&Vec::new()) {
                // The whole member is read: its subtree keeps the document's types, and
                // every declared path inside it is covered.
                self.unmatched.retain(|path| !path.starts_with(&here));
                continue;
            }
            self.collect(member, &below, &here);
        }
    }
}

/// The members of a schema a pointer steps into: each property by its name, and the items of
/// an array or the values of a map as `*`.
fn members(map: &serde_json::Map<String, Value>) -> impl Iterator<Item = (&str, &Value)> {
    let properties = map.get("properties").and_then(Value::as_object);
    properties
        .into_iter()
        .flatten()
        .map(|(name, schema)| (name.as_str(), schema))
        .chain(
            ["items", "additionalProperties"]
                .into_iter()
                .filter_map(|k| map.get(k).filter(|v| v.is_object()))
                .map(|schema| ("*", schema)),
        )
}

/// The paths below `segment` of those in `reads`.
fn below(reads: &BTreeSet<Path>, segment: &str) -> BTreeSet<Path> {
    reads
        .iter()
        .filter(|path| path.first().is_some_and(|s| s == segment))
        .map(|path| path[1..].to_vec())
        .collect()
}

/// Marks one schema (not following references: each component is marked on its own).
fn mark(schema: &mut Value, reads: &BTreeSet<Path>) -> usize {
    let Some(map) = schema.as_object_mut() else {
        return 0;
    };
    if component_name(map).is_some() {
        return 0;
    }
    let mut marked = 0;
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for member in map
            .get_mut(keyword)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            marked += mark(member, reads);
        }
    }
    let required: BTreeSet<String> = map
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let mut still_required = Vec::new();
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            let below = below(reads, name);
            let is_required = required.contains(name);
            if below.is_empty() {
                marked += 1 + mark(property, &BTreeSet::new());
                set_mark(property, TOLERANT);
                continue;
            }
            if is_required {
                still_required.push(name.clone());
            } else {
                set_mark(property, "nullable");
            }
            if !below.contains(&Vec::new()) {
                marked += mark(property, &below);
            }
        }
    }
    // Required names that are no declared property stay as the document has them.
    for name in &required {
        let declared = map
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(name));
        if !declared {
            still_required.push(name.clone());
        }
    }
    if map.contains_key("required") {
        still_required.sort();
        let order: Vec<String> = map["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|n| still_required.iter().any(|k| k == n))
            .map(str::to_owned)
            .collect();
        if order.is_empty() {
            map.remove("required");
        } else {
            map.insert("required".into(), json!(order));
        }
    }
    for keyword in ["items", "additionalProperties"] {
        if let Some(inner) = map.get_mut(keyword).filter(|v| v.is_object()) {
            let below = below(reads, "*");
            if !below.contains(&Vec::new()) {
                marked += mark(inner, &below);
            }
        }
    }
    marked
}

/// Sets `keyword: true` on a property's schema; a lone reference is wrapped in `allOf`
/// first, as 3.0 allows nothing beside a `$ref`.
fn set_mark(property: &mut Value, keyword: &str) {
    let Some(map) = property.as_object_mut() else {
        return;
    };
    if map.contains_key("$ref") {
        let reference = std::mem::take(map);
        map.insert("allOf".into(), json!([Value::Object(reference)]));
    }
    map.insert(keyword.into(), json!(true));
}

/// The places of the success body where the document declares an object that the mapping
/// reads (the root, and every object on the way to a field it reads, or inside one it reads
/// whole), as JSON Pointers with `*` for every item or value. The client refuses a JSON
/// array at any of them: serde would otherwise read an array as a struct, field by field
/// in order (`[]` as a struct whose fields are all optional), and the reading would not be
/// true.
pub fn objects_read(
    doc: &Value,
    operation_id: &str,
    reads: &[String],
) -> Result<Vec<String>, String> {
    let reads: BTreeSet<Path> = reads
        .iter()
        .map(|p| parse_pointer(p))
        .collect::<Result<_, _>>()?;
    let operation = find_operation(doc, operation_id)
        .ok_or_else(|| format!("no operation `{operation_id}` to read"))?;
    let schemas = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(json!({}));
    let mut found = BTreeSet::new();
    let responses = operation.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        if !status.starts_with('2') {
            continue;
        }
        let content = response.get("content").and_then(Value::as_object);
        for (media_type, media) in content.into_iter().flatten() {
            if let (true, Some(schema)) = (media_type.contains("json"), media.get("schema")) {
                objects_in(&schemas, schema, &reads, &[], &mut found, 0);
            }
        }
    }
    Ok(found.iter().map(|path| format_pointer(path)).collect())
}

/// Adds to `found` the objects of `schema` (at `at`) on the way to `reads`.
fn objects_in(
    schemas: &Value,
    schema: &Value,
    reads: &BTreeSet<Path>,
    at: &[String],
    found: &mut BTreeSet<Path>,
    depth: usize,
) {
    // A recursive schema ends here; no status body is this deep.
    const DEEPEST: usize = 32;
    let Some(map) = schema.as_object() else {
        return;
    };
    if reads.is_empty() || depth > DEEPEST {
        return;
    }
    if let Some(name) = component_name(map) {
        if let Some(target) = schemas.get(name) {
            objects_in(schemas, target, reads, at, found, depth + 1);
        }
        return;
    }
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for member in map
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            objects_in(schemas, member, reads, at, found, depth + 1);
        }
    }
    if map.contains_key("properties") || map.get("type") == Some(&json!("object")) {
        found.insert(at.to_vec());
    }
    // A member read whole is read all the way down.
    let whole = reads.contains(&Vec::new());
    let below = |segment: &str| match whole {
        true => BTreeSet::from([Vec::new()]),
        false => below(reads, segment),
    };
    for (name, member) in members(map) {
        let here: Path = at.iter().cloned().chain([name.to_owned()]).collect();
        objects_in(schemas, member, &below(name), &here, found, depth + 1);
    }
}

/// The component a schema refers to, if it is a lone reference.
fn component_name(map: &Map<String, Value>) -> Option<&str> {
    map.get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
}

fn find_operation<'a>(doc: &'a Value, operation_id: &str) -> Option<&'a Value> {
    doc.get("paths")?.as_object()?.values().find_map(|item| {
        item.as_object()?
            .values()
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
    })
}

fn find_operation_mut<'a>(doc: &'a mut Value, operation_id: &str) -> Option<&'a mut Value> {
    doc.get_mut("paths")?
        .as_object_mut()?
        .values_mut()
        .find_map(|item| {
            item.as_object_mut()?
                .values_mut()
                .find(|op| op.get("operationId").and_then(Value::as_str) == Some(operation_id))
        })
}

/// `/me/pushName` as its segments (RFC 6901 escapes `~1` and `~0` undone).
fn parse_pointer(pointer: &str) -> Result<Path, String> {
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("[status] reads `{pointer}`: a JSON Pointer starts with `/`"))?;
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn format_pointer(path: &[String]) -> String {
    path.iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The document as progenitor sees it: every property marked tolerant gets the type
/// `Tolerant<T>` through typify's `x-rust-type` extension, `T` being its own schema, and a
/// sentence in its docs. Returns how many it changed.
pub fn for_generator(doc: &mut Value) -> usize {
    let mut changed = 0;
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            visit(schema, name, &mut changed);
        }
    }
    changed
}

/// Converts the marks in `value`, a schema whose type would be named `name`.
fn visit(value: &mut Value, name: &str, changed: &mut usize) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    for (key, member) in map.iter_mut() {
        match key.as_str() {
            "properties" => {
                for (property, schema) in member.as_object_mut().into_iter().flatten() {
                    visit(schema, &format!("{name}{}", pascal_case(property)), changed);
                }
            }
            "items" => visit(member, &format!("{name}Item"), changed),
            "additionalProperties" => visit(member, &format!("{name}Value"), changed),
            "allOf" | "oneOf" | "anyOf" => {
                for item in member.as_array_mut().into_iter().flatten() {
                    visit(item, name, changed);
                }
            }
            _ => {}
        }
    }
    if map.remove(TOLERANT).is_none() {
        return;
    }
    let mut inner = map.clone();
    // A lone reference wrapped to carry the mark is the reference itself.
    if let Some(Value::Array(members)) = inner.get("allOf") {
        if let ([Value::Object(only)], 1) = (members.as_slice(), inner.len()) {
            inner = only.clone();
        }
    }
    inner.remove("description");
    // A field the mapping does not read is not checked: a string's length and pattern
    // would only make a newtype (and need a regular expression crate) for a value nobody
    // reads. A default would be written as a `Tolerant` without its type parameter, and an
    // absent field is `None` anyway (a `verification_method` that defaults to `sms`, say).
    for keyword in ["pattern", "minLength", "maxLength", "default"] {
        inner.remove(keyword);
        map.remove(keyword);
    }
    name_inline(&mut inner, name);
    let note = "Not read by the status mapping: a value of another shape than the document's is kept as `Tolerant::Other`.";
    let description = match map.get("description").and_then(Value::as_str) {
        Some(text) => format!("{text}\n\n{note}"),
        None => note.to_owned(),
    };
    map.insert("description".into(), json!(description));
    map.insert(
        "x-rust-type".into(),
        json!({
            "crate": TOLERANT_CRATE,
            "version": "*",
            "path": TOLERANT_TYPE,
            "parameters": [Value::Object(inner)],
        }),
    );
    *changed += 1;
}

/// Titles every inline schema in `schema` that becomes a type of its own, as typify would
/// name it in place: a schema carried as a type parameter has lost its place, and typify
/// panics on a type it cannot name (it names a parameter only by its title). Structs,
/// unions and constrained strings (a newtype that checks them) are such types, also inside
/// items and properties (a `profile.emails` that is a list of inline objects, say).
fn name_inline(schema: &mut serde_json::Map<String, Value>, name: &str) {
    let needs_name = [
        "properties",
        "oneOf",
        "anyOf",
        "allOf",
        "pattern",
        "minLength",
        "maxLength",
    ]
    .iter()
    .any(|k| schema.contains_key(*k));
    if needs_name && !schema.contains_key("$ref") && !schema.contains_key("title") {
        schema.insert("title".into(), json!(name));
    }
    for (key, member) in schema.iter_mut() {
        match key.as_str() {
            "properties" => {
                for (property, inner) in member.as_object_mut().into_iter().flatten() {
                    if let Some(inner) = inner.as_object_mut() {
                        name_inline(inner, &format!("{name}{}", pascal_case(property)));
                    }
                }
            }
            "items" | "additionalProperties" => {
                let suffix = if key == "items" { "Item" } else { "Value" };
                if let Some(inner) = member.as_object_mut() {
                    name_inline(inner, &format!("{name}{suffix}"));
                }
            }
            "allOf" | "oneOf" | "anyOf" => {
                for (index, inner) in member.as_array_mut().into_iter().flatten().enumerate() {
                    if let Some(inner) = inner.as_object_mut() {
                        name_inline(inner, &format!("{name}Variant{index}"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// `can_send_message` and `pushName` as `CanSendMessage` and `PushName`.
fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/s/{id}": {"get": {
                "operationId": "getSession",
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
                    "404": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                }
            }}},
            "components": {"schemas": {
                "Session": {"type": "object", "required": ["name", "status"], "properties": {
                    "name": {"type": "string"},
                    "status": {"type": "string"},
                    "me": {"$ref": "#/components/schemas/Me"},
                    "config": {"type": "object", "additionalProperties": true}
                }},
                "Me": {"type": "object", "required": ["id"], "properties": {
                    "id": {"type": "string"},
                    "lid": {"type": "string"}
                }},
                "Error": {"type": "object", "required": ["message"], "properties": {
                    "message": {"type": "string"}
                }}
            }}
        })
    }

    #[test]
    fn the_objects_on_the_way_to_each_read_field_are_listed() {
        let doc = doc();
        let objects = |reads: &[&str]| {
            let reads: Vec<String> = reads.iter().map(|r| r.to_string()).collect();
            objects_read(&doc, "getSession", &reads).unwrap()
        };
        assert_eq!(objects(&["/status"]), [""]);
        assert_eq!(objects(&["/status", "/me/id"]), ["", "/me"]);
        // `config` read whole is an object too; an error body's objects are not the client's.
        assert_eq!(objects(&["/config"]), ["", "/config"]);
        assert_eq!(objects(&[]), Vec::<String>::new());
    }

    #[test]
    fn unread_properties_are_marked_and_read_ones_keep_their_types() {
        let mut doc = doc();
        let reads = ["/status".to_owned(), "/me/id".to_owned()];
        assert_eq!(mark_tolerant(&mut doc, "getSession", &reads).unwrap(), 4);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["Session"],
            json!({"type": "object", "required": ["status"], "properties": {
                "name": {"type": "string", TOLERANT: true},
                "status": {"type": "string"},
                "me": {"allOf": [{"$ref": "#/components/schemas/Me"}], "nullable": true},
                "config": {"type": "object", "additionalProperties": true, TOLERANT: true}
            }})
        );
        assert_eq!(
            schemas["Me"],
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "lid": {"type": "string", TOLERANT: true}
            }})
        );
        // The mapping reads an error body from its bytes: nothing in it is read.
        assert_eq!(
            schemas["Error"],
            json!({"type": "object", "properties": {"message": {"type": "string", TOLERANT: true}}})
        );
    }

    #[test]
    fn a_pointer_to_no_property_is_an_error() {
        let mut doc = doc();
        let error = mark_tolerant(&mut doc, "getSession", &["/me/phone".to_owned()]).unwrap_err();
        assert_eq!(
            error,
            "[status] reads `/me/phone`, which is no property of the success body of `getSession`"
        );
    }

    #[test]
    fn a_whole_property_read_keeps_its_subtree() {
        let mut doc = doc();
        mark_tolerant(
            &mut doc,
            "getSession",
            &["/status".to_owned(), "/me".to_owned()],
        )
        .unwrap();
        assert_eq!(
            doc["components"]["schemas"]["Me"]["properties"]["lid"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn the_generator_sees_the_tolerant_type() {
        let mut doc = json!({"components": {"schemas": {"Session": {"properties": {
            "config": {"type": "object", "description": "The config.", TOLERANT: true},
            "me": {"allOf": [{"$ref": "#/components/schemas/Me"}], TOLERANT: true},
            "engine": {"type": "object", "properties": {"a": {"type": "string"}}, TOLERANT: true}
        }}}}});
        assert_eq!(for_generator(&mut doc), 3);
        let properties = &doc["components"]["schemas"]["Session"]["properties"];
        let config = &properties["config"];
        assert_eq!(config["x-rust-type"]["path"], TOLERANT_TYPE);
        assert_eq!(
            config["x-rust-type"]["parameters"],
            json!([{"type": "object"}])
        );
        assert!(config["description"]
            .as_str()
            .unwrap()
            .starts_with("The config.\n\nNot read"));
        assert_eq!(
            properties["me"]["x-rust-type"]["parameters"],
            json!([{"$ref": "#/components/schemas/Me"}])
        );
        assert_eq!(
            properties["engine"]["x-rust-type"]["parameters"][0]["title"],
            "SessionEngine"
        );
    }

    /// A vendor's sender: a constrained string and a defaulted one, and a list of inline
    /// objects, all unread. typify panicked on the first and the last (it could not name
    /// them) and wrote the default as a `Tolerant` without its type parameter.
    #[test]
    fn constraints_and_defaults_of_unread_fields_go_and_nested_types_are_named() {
        let mut doc = json!({"components": {"schemas": {"Sender": {"properties": {
            "sid": {"type": "string", "minLength": 34, "maxLength": 34,
                    "pattern": "^XE[0-9a-fA-F]{32}$", "nullable": true, TOLERANT: true},
            "method": {"type": "string", "default": "sms", TOLERANT: true},
            "emails": {"type": "array", "items": {"type": "object", "properties": {
                "email": {"type": "string"}}}, TOLERANT: true}
        }}}}});
        assert_eq!(for_generator(&mut doc), 3);
        let properties = &doc["components"]["schemas"]["Sender"]["properties"];
        assert_eq!(
            properties["sid"]["x-rust-type"]["parameters"],
            json!([{"type": "string", "nullable": true}])
        );
        assert_eq!(properties["sid"].get("pattern"), None);
        assert_eq!(
            properties["method"]["x-rust-type"]["parameters"],
            json!([{"type": "string"}])
        );
        assert_eq!(properties["method"].get("default"), None);
        assert_eq!(
            properties["emails"]["x-rust-type"]["parameters"][0]["items"]["title"],
            "SenderEmailsItem"
        );
    }
}
