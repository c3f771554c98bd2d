//! The general pass that turns an OpenAPI 3.1 document into an OpenAPI 3.0 one.
//!
//! progenitor reads only 3.0, and its parser rejects 3.1's JSON Schema constructs with
//! messages that do not say where the problem is. Changing the version string is not
//! enough: every 3.1 construct that 3.0 cannot express is rewritten into its 3.0 form, or
//! dropped when 3.0 has none (3.0 readers would ignore it anyway).

use serde_json::{json, Map, Value};

/// The version every normalized document declares.
pub const OPENAPI_30_VERSION: &str = "3.0.3";

/// Whether the document declares OpenAPI 3.1.
pub fn is_openapi_31(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1."))
}

/// Rewrites a 3.1 document into 3.0 in place. A 3.0 document is left as it is.
pub fn downconvert(doc: &mut Value) {
    if !is_openapi_31(doc) {
        return;
    }
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    root.insert("openapi".into(), json!(OPENAPI_30_VERSION));
    // Top-level members that 3.0 does not have.
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");
    // 3.0 requires `paths`; 3.1 made it optional.
    root.entry("paths").or_insert_with(|| json!({}));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("pathItems");
        if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
            for schema in schemas.values_mut() {
                convert_schema(schema);
            }
        }
    }
    // Schemas also sit under `schema` keys in paths, parameters, responses and bodies,
    // in `paths` and in the other members of `components`.
    for (key, value) in root.iter_mut() {
        match (key.as_str(), value.as_object_mut()) {
            ("components", Some(components)) => components
                .iter_mut()
                .filter(|(name, _)| name.as_str() != "schemas")
                .for_each(|(_, member)| convert_schemas_within(member)),
            _ => convert_schemas_within(value),
        }
    }
}

/// Walks a part of the document that is not itself a schema (paths, parameters, responses,
/// ...) and converts every schema found under a `schema` key.
fn convert_schemas_within(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                match key.as_str() {
                    "schema" => convert_schema(member),
                    // Example values are data, not document structure.
                    "example" | "examples" => {}
                    _ => convert_schemas_within(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(convert_schemas_within),
        _ => {}
    }
}

/// JSON Schema keywords that OpenAPI 3.0's schema object does not have and that have no 3.0
/// equivalent. 3.0 readers ignore or reject them; dropping them keeps the parser working.
const KEYWORDS_WITHOUT_30_FORM: [&str; 17] = [
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$dynamicRef",
    "$dynamicAnchor",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "if",
    "then",
    "else",
    "patternProperties",
    "propertyNames",
    "contains",
];

/// Converts one schema, and every schema inside it, from 3.1 to 3.0.
pub fn convert_schema(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };

    // In 3.1 a `$ref` may have siblings; in 3.0 they are ignored, so they are dropped to
    // keep the document honest about what a reader sees.
    if map.contains_key("$ref") {
        map.retain(|key, _| key == "$ref");
        return;
    }

    for keyword in KEYWORDS_WITHOUT_30_FORM {
        map.remove(keyword);
    }
    map.remove("minContains");
    map.remove("maxContains");

    convert_type_array(map);
    convert_null_alternatives(map, "anyOf");
    convert_null_alternatives(map, "oneOf");

    if let Some(constant) = map.remove("const") {
        map.insert("enum".into(), json!([constant]));
    }
    if let Some(examples) = map.remove("examples") {
        if !map.contains_key("example") {
            if let Some(first) = examples.as_array().and_then(|list| list.first()) {
                map.insert("example".into(), first.clone());
            }
        }
    }
    convert_exclusive_bound(map, "exclusiveMinimum", "minimum");
    convert_exclusive_bound(map, "exclusiveMaximum", "maximum");
    if let Some(encoding) = map.remove("contentEncoding") {
        if encoding == "base64" && !map.contains_key("format") {
            map.insert("format".into(), json!("byte"));
        }
    }
    if let Some(media_type) = map.remove("contentMediaType") {
        if media_type == "application/octet-stream" && !map.contains_key("format") {
            map.insert("format".into(), json!("binary"));
        }
    }

    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get_mut(key) {
            convert_schema(sub);
        }
    }
    if let Some(properties) = map.get_mut("properties").and_then(Value::as_object_mut) {
        properties.values_mut().for_each(convert_schema);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = map.get_mut(key).and_then(Value::as_array_mut) {
            list.iter_mut().for_each(convert_schema);
        }
    }
}

/// `type: [string, "null"]` becomes `type: string, nullable: true`; several non-null types
/// become an `anyOf` of one schema per type.
fn convert_type_array(map: &mut Map<String, Value>) {
    let Some(Value::Array(types)) = map.get("type") else {
        return;
    };
    let nullable = types.iter().any(|t| t == "null");
    let others: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
    map.remove("type");
    match others.as_slice() {
        [] => {}
        [single] => {
            map.insert("type".into(), single.clone());
        }
        several => {
            let alternatives = several.iter().map(|t| json!({ "type": t })).collect();
            map.insert("anyOf".into(), Value::Array(alternatives));
        }
    }
    if nullable {
        map.insert("nullable".into(), json!(true));
    }
}

/// `anyOf: [X, {type: "null"}]` becomes `X` marked `nullable`. 3.0 cannot put `nullable` next
/// to a `$ref`, so a lone reference is wrapped in `allOf`, the usual 3.0 idiom.
fn convert_null_alternatives(map: &mut Map<String, Value>, keyword: &str) {
    let Some(Value::Array(alternatives)) = map.get_mut(keyword) else {
        return;
    };
    let before = alternatives.len();
    alternatives.retain(|alt| alt.get("type").is_none_or(|t| t != "null"));
    if alternatives.len() == before {
        return;
    }
    map.insert("nullable".into(), json!(true));
    let alternatives = match map.remove(keyword) {
        Some(Value::Array(alternatives)) => alternatives,
        _ => return,
    };
    match <[Value; 1]>::try_from(alternatives) {
        Ok([only]) => match only {
            Value::Object(only) if only.contains_key("$ref") => {
                map.insert("allOf".into(), json!([only]));
            }
            Value::Object(only) => {
                for (key, value) in only {
                    map.entry(key).or_insert(value);
                }
            }
            other => {
                map.insert("allOf".into(), json!([other]));
            }
        },
        Err(alternatives) if alternatives.is_empty() => {}
        Err(alternatives) => {
            map.insert(keyword.into(), Value::Array(alternatives));
        }
    }
}

/// 3.1's numeric `exclusiveMinimum: 5` becomes 3.0's `minimum: 5, exclusiveMinimum: true`.
fn convert_exclusive_bound(map: &mut Map<String, Value>, exclusive: &str, inclusive: &str) {
    if let Some(bound) = map.get(exclusive).filter(|b| b.is_number()).cloned() {
        map.insert(inclusive.into(), bound);
        map.insert(exclusive.into(), json!(true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted_schema(schema: Value) -> Value {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
            "components": {"schemas": {"S": schema}},
            "webhooks": {},
            "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema"
        });
        downconvert(&mut doc);
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(doc["paths"], json!({}));
        assert_eq!(doc.get("webhooks"), None);
        assert_eq!(doc.get("jsonSchemaDialect"), None);
        assert_eq!(
            doc["info"],
            json!({"title": "t", "version": "1", "license": {"name": "MIT"}})
        );
        doc["components"]["schemas"]["S"].take()
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        assert_eq!(
            converted_schema(json!({"type": ["string", "null"], "maxLength": 3})),
            json!({"maxLength": 3, "type": "string", "nullable": true})
        );
    }

    #[test]
    fn type_array_of_several_types_becomes_any_of() {
        assert_eq!(
            converted_schema(json!({"type": ["string", "integer", "null"]})),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn const_becomes_a_one_value_enum() {
        assert_eq!(
            converted_schema(json!({"type": "string", "const": "WORKING"})),
            json!({"type": "string", "enum": ["WORKING"]})
        );
    }

    #[test]
    fn examples_become_example() {
        assert_eq!(
            converted_schema(json!({"type": "integer", "examples": [7, 8]})),
            json!({"type": "integer", "example": 7})
        );
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean_ones() {
        assert_eq!(
            converted_schema(
                json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10})
            ),
            json!({"type": "number", "exclusiveMinimum": true, "exclusiveMaximum": true, "minimum": 0, "maximum": 10})
        );
    }

    #[test]
    fn null_alternative_next_to_a_reference_becomes_nullable_all_of() {
        assert_eq!(
            converted_schema(
                json!({"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}]})
            ),
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
        assert_eq!(
            converted_schema(
                json!({"oneOf": [{"type": "null"}, {"type": "string", "format": "uri"}]})
            ),
            json!({"nullable": true, "type": "string", "format": "uri"})
        );
    }

    #[test]
    fn siblings_of_a_reference_are_dropped() {
        assert_eq!(
            converted_schema(json!({"$ref": "#/components/schemas/T", "description": "d"})),
            json!({"$ref": "#/components/schemas/T"})
        );
    }

    #[test]
    fn keywords_without_a_30_form_are_dropped_and_content_keywords_become_formats() {
        assert_eq!(
            converted_schema(json!({
                "$schema": "x", "$comment": "c", "type": "object",
                "patternProperties": {"^a": {}}, "unevaluatedProperties": false,
                "properties": {
                    "blob": {"type": "string", "contentEncoding": "base64"},
                    "file": {"type": "string", "contentMediaType": "application/octet-stream"}
                }
            })),
            json!({"type": "object", "properties": {
                "blob": {"type": "string", "format": "byte"},
                "file": {"type": "string", "format": "binary"}
            }})
        );
    }

    #[test]
    fn nested_schemas_are_converted_everywhere() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/x": {"get": {
                "parameters": [{"name": "p", "in": "query", "schema": {"type": ["integer", "null"]}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "list": {"type": "array", "items": {"const": 1}},
                        "map": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
                        "all": {"allOf": [{"type": "object", "properties": {"a": {"examples": ["x"]}}}]}
                    }},
                    "examples": {"one": {"value": {"schema": {"type": ["kept", "as", "data"]}}}}
                }}}}
            }}}
        });
        downconvert(&mut doc);
        let get = &doc["paths"]["/x"]["get"];
        assert_eq!(
            get["parameters"][0]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        let media = &get["responses"]["200"]["content"]["application/json"];
        assert_eq!(
            media["schema"]["properties"],
            json!({
                "list": {"type": "array", "items": {"enum": [1]}},
                "map": {"type": "object", "additionalProperties": {"type": "string", "nullable": true}},
                "all": {"allOf": [{"type": "object", "properties": {"a": {"example": "x"}}}]}
            })
        );
        assert_eq!(
            media["examples"]["one"]["value"]["schema"]["type"],
            json!(["kept", "as", "data"])
        );
    }

    #[test]
    fn a_30_document_is_left_alone() {
        let original = json!({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
            "components": {"schemas": {"S": {"type": ["string", "null"]}}}});
        let mut doc = original.clone();
        downconvert(&mut doc);
        assert_eq!(doc, original);
    }
}
