//! The general pass that moves inline response schemas into `components/schemas`.
//!
//! progenitor names every inline response schema `{OperationId}Response`. When an operation
//! has two (a success body and an error body), the type generator silently reuses the first
//! type for both, and a 401 body ends up typed as the 200 struct. Giving each inline schema
//! its own component name before generation makes every body its own type.

use serde_json::{Map, Value};

/// Hoists every inline JSON response schema into a named component and returns the names
/// it created, in document order. Fails when a name is already taken, rather than
/// overwriting a vendor schema.
pub fn hoist_response_schemas(doc: &mut Value) -> Result<Vec<String>, String> {
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(Vec::new());
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !is_http_method(method) {
                continue;
            }
            let operation_id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("{method} {path} has no operationId"))?;
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            for (status, response) in responses.iter_mut() {
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                for (media_type, media) in content.iter_mut() {
                    if !media_type.contains("json") {
                        continue;
                    }
                    let Some(schema) = media.get_mut("schema") else {
                        continue;
                    };
                    if schema.get("$ref").is_some() {
                        continue;
                    }
                    let name = component_name(&operation_id, status);
                    let inline = std::mem::replace(
                        schema,
                        Value::Object(Map::from_iter([(
                            "$ref".to_owned(),
                            Value::String(format!("#/components/schemas/{name}")),
                        )])),
                    );
                    hoisted.push((name, inline));
                }
            }
        }
    }

    let root = doc
        .as_object_mut()
        .expect("a document with paths is an object");
    let components = root
        .entry("components")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or("`components` is not an object")?;
    let schemas = components
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or("`components.schemas` is not an object")?;
    let mut names = Vec::with_capacity(hoisted.len());
    for (name, schema) in hoisted {
        if schemas.contains_key(&name) {
            return Err(format!(
                "cannot hoist a response schema to `{name}`: the document already has a schema of that name"
            ));
        }
        schemas.insert(name.clone(), schema);
        names.push(name);
    }
    Ok(names)
}

fn is_http_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}

/// `getInstanceStatus` + `200` gives `GetInstanceStatusResponse`; an error status gives the
/// operation name followed by the status's reason, e.g. `GetInstanceStatusUnauthorized`.
fn component_name(operation_id: &str, status: &str) -> String {
    let mut name = pascal_case(operation_id);
    let suffix = match status {
        s if s.starts_with('2') => "Response".to_owned(),
        "400" => "BadRequest".to_owned(),
        "401" => "Unauthorized".to_owned(),
        "403" => "Forbidden".to_owned(),
        "404" => "NotFound".to_owned(),
        "409" => "Conflict".to_owned(),
        "422" => "UnprocessableEntity".to_owned(),
        "429" => "TooManyRequests".to_owned(),
        "500" => "InternalServerError".to_owned(),
        "502" => "BadGateway".to_owned(),
        "503" => "ServiceUnavailable".to_owned(),
        "default" => "Default".to_owned(),
        other => format!("Status{}", other.to_ascii_uppercase()),
    };
    name.push_str(&suffix);
    name
}

fn pascal_case(identifier: &str) -> String {
    identifier
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn success_and_error_bodies_get_their_own_components() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "paths": {"/x/{id}": {
                "parameters": [],
                "get": {"operationId": "get-thing", "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}},
                    "401": {"description": "", "content": {"application/json": {"schema": {"type": "object", "properties": {"b": {"type": "string"}}}}}},
                    "404": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}},
                    "466": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "500": {"description": "no body"}
                }}
            }},
            "components": {"schemas": {"Missing": {"type": "object"}}}
        });
        let names = hoist_response_schemas(&mut doc).unwrap();
        assert_eq!(
            names,
            [
                "GetThingResponse",
                "GetThingUnauthorized",
                "GetThingStatus466"
            ]
        );
        let responses = &doc["paths"]["/x/{id}"]["get"]["responses"];
        assert_eq!(
            responses["200"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/GetThingResponse"})
        );
        assert_eq!(
            responses["401"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/GetThingUnauthorized"})
        );
        assert_eq!(
            responses["404"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Missing"})
        );
        assert_eq!(
            doc["components"]["schemas"],
            json!({
                "Missing": {"type": "object"},
                "GetThingResponse": {"type": "object", "properties": {"a": {"type": "string"}}},
                "GetThingUnauthorized": {"type": "object", "properties": {"b": {"type": "string"}}},
                "GetThingStatus466": {"type": "object"}
            })
        );
    }

    #[test]
    fn a_taken_name_is_an_error_not_an_overwrite() {
        let mut doc = json!({
            "paths": {"/x": {"get": {"operationId": "x", "responses": {
                "200": {"description": "", "content": {"application/json": {"schema": {"type": "string"}}}}
            }}}},
            "components": {"schemas": {"XResponse": {"type": "integer"}}}
        });
        assert_eq!(
            hoist_response_schemas(&mut doc).unwrap_err(),
            "cannot hoist a response schema to `XResponse`: the document already has a schema of that name"
        );
    }

    #[test]
    fn an_operation_without_id_is_named_in_the_error() {
        let mut doc = json!({"paths": {"/x": {"get": {"responses": {}}}}});
        assert_eq!(
            hoist_response_schemas(&mut doc).unwrap_err(),
            "get /x has no operationId"
        );
    }
}
