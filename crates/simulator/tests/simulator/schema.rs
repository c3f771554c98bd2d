//! A small validator for the OpenAPI 3.0 schema subset the normalized documents use, to
//! check the simulator's bodies against each provider's normalized spec.

use serde_json::Value;
use wa_simulator::Provider;

/// The normalized document of a provider, as the catalog carries it (the package's tests
/// read nothing outside the package).
pub fn normalized(provider: Provider) -> Value {
    serde_json::from_str(provider.normalized_document()).unwrap()
}

/// The response `status` of the provider's status operation, if the document declares it.
pub fn response(provider: Provider, doc: &Value, status: &str) -> Option<Value> {
    let path = provider.info().status.path;
    let declared = doc["paths"][path]["get"]["responses"].get(status)?;
    Some(declared.clone())
}

/// Validates `value` against `schema`. `strict` also requires strings to be among the
/// documented values where the document lists them.
pub fn validate(doc: &Value, schema: &Value, value: &Value, strict: bool) -> Result<(), String> {
    check(doc, schema, value, strict, "$")
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(doc, doc.pointer(pointer).unwrap_or(&Value::Null))
        }
        None => schema,
    }
}

fn check(doc: &Value, schema: &Value, value: &Value, strict: bool, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if value.is_null() {
        // A wrapper `allOf` (a reference with siblings) takes null when what it wraps does.
        let wrapped_nullable = schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|all| {
                !all.is_empty()
                    && all
                        .iter()
                        .all(|sub| check(doc, sub, value, strict, at).is_ok())
            });
        return if schema.get("nullable") == Some(&Value::Bool(true)) || wrapped_nullable {
            Ok(())
        } else {
            Err(format!("{at}: null where the schema is not nullable"))
        };
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check(doc, sub, value, strict, at)?;
        }
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = one
            .iter()
            .filter(|sub| check(doc, sub, value, strict, at).is_ok())
            .count();
        if matching != 1 {
            return Err(format!(
                "{at}: matches {matching} of the oneOf alternatives, not exactly 1"
            ));
        }
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let fits = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            _ => false,
        };
        if !fits {
            return Err(format!("{at}: expected {kind}, got {value}"));
        }
    }
    if strict {
        if let Some(documented) = schema.get("x-documented-values").and_then(Value::as_array) {
            if !documented.contains(value) {
                return Err(format!("{at}: {value} is not a documented value"));
            }
        }
    }
    if let Some(object) = value.as_object() {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = name.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                return Err(format!("{at}: required `{name}` is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member) in object {
            let path = format!("{at}.{name}");
            match (
                properties.and_then(|p| p.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => check(doc, sub, member, strict, &path)?,
                (None, Some(Value::Bool(false))) => return Err(format!("{path}: not allowed")),
                (None, Some(extra)) if extra.is_object() => {
                    check(doc, extra, member, strict, &path)?
                }
                (None, _) => {}
            }
        }
    }
    if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
        for (index, item) in list.iter().enumerate() {
            check(doc, items, item, strict, &format!("{at}[{index}]"))?;
        }
    }
    Ok(())
}

#[test]
fn the_validator_rejects_what_the_schema_does_not_allow() {
    let doc = serde_json::json!({"components": {"schemas": {
        "Health": {"type": "object", "required": ["status"], "properties": {
            "instance_id": {"type": "string"},
            "status": {"type": "string", "x-documented-values": ["WORKING", "FAILED"]}
        }},
        "Data": {"type": "object", "required": ["connected"], "properties": {"connected": {"type": "boolean"}}},
        "Envelope": {"type": "object", "required": ["code", "success"], "properties": {
            "code": {"type": "integer"}, "success": {"type": "boolean"}
        }},
        "Either": {"oneOf": [{"$ref": "#/components/schemas/Envelope"}, {"$ref": "#/components/schemas/Data"}]}
    }}});
    let ok = serde_json::json!({"$ref": "#/components/schemas/Health"});
    let value = serde_json::json!({"instance_id": "x", "status": "WORKING"});
    assert_eq!(validate(&doc, &ok, &value, true), Ok(()));
    assert_eq!(
        validate(&doc, &ok, &serde_json::json!({"status": "QUEUED"}), true),
        Err("$.status: \"QUEUED\" is not a documented value".into())
    );
    assert_eq!(
        validate(&doc, &ok, &serde_json::json!({"status": "QUEUED"}), false),
        Ok(())
    );
    assert_eq!(
        validate(&doc, &ok, &serde_json::json!({"status": 7}), false),
        Err("$.status: expected string, got 7".into())
    );
    assert_eq!(
        validate(&doc, &ok, &serde_json::json!({}), false),
        Err("$: required `status` is missing".into())
    );
    assert_eq!(
        validate(&doc, &ok, &Value::Null, false),
        Err("$: null where the schema is not nullable".into())
    );
    let either = serde_json::json!({"$ref": "#/components/schemas/Either"});
    assert_eq!(
        validate(&doc, &either, &serde_json::json!({"code": 200}), false),
        Err("$: matches 0 of the oneOf alternatives, not exactly 1".into())
    );
    assert_eq!(
        validate(
            &doc,
            &either,
            &serde_json::json!({"connected": false}),
            false
        ),
        Ok(())
    );
}
