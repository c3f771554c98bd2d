//! What progenitor sees of error answers.
//!
//! The normalized document is the contract: it declares every error status a provider
//! really answers, with its real body, JSON or not (a plain-text 400 beside a JSON 466, a
//! gateway's plain-text 502 beside JSON 401 and 404).
//! progenitor takes one error body type per operation and panics on a mix of JSON, other
//! content and no content. The clients do not need a typed error body to classify an error:
//! the glue captures every error answer and classifies it by status and body. So the copy
//! of the document handed to progenitor keeps, in each operation, only the error answers
//! with a JSON body when there are any, and leaves the others out (they decode as
//! `UnexpectedResponse`, which the glue classifies the same way); with no JSON error body,
//! every error answer is kept without content.

use serde_json::Value;

/// Leaves out, in every operation of `doc`, the error answers progenitor cannot type beside
/// the others (see the module docs). Returns how many answers it changed or removed.
pub fn for_generator(doc: &mut Value) -> usize {
    let mut changed = 0;
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return 0;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            if let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            {
                changed += one_operation(responses);
            }
        }
    }
    changed
}

fn one_operation(responses: &mut serde_json::Map<String, Value>) -> usize {
    let errors: Vec<String> = responses
        .keys()
        .filter(|status| is_error(status))
        .cloned()
        .collect();
    let any_json = errors.iter().any(|status| has_json(&responses[status]));
    let mut changed = 0;
    for status in errors {
        let response = &mut responses[&status];
        if has_json(response) {
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                let before = content.len();
                content.retain(|media_type, _| is_json(media_type));
                changed += usize::from(content.len() != before);
            }
        } else if any_json {
            responses.remove(&status);
            changed += 1;
        } else if let Some(response) = response.as_object_mut() {
            changed += usize::from(response.remove("content").is_some());
        }
    }
    changed
}

fn is_error(status: &str) -> bool {
    status == "default" || status.starts_with('4') || status.starts_with('5')
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.starts_with("application/json;")
}

fn has_json(response: &Value) -> bool {
    response
        .get("content")
        .and_then(Value::as_object)
        .is_some_and(|content| content.keys().any(|m| is_json(m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn responses(doc: &Value) -> &Value {
        &doc["paths"]["/s"]["get"]["responses"]
    }

    #[test]
    fn beside_a_json_error_body_the_others_are_left_out_and_other_types_dropped() {
        let mut doc = json!({"paths": {"/s": {"get": {"responses": {
            "200": {"content": {"application/json": {}, "text/html": {}}},
            "400": {"content": {"text/plain": {}}},
            "401": {"content": {"application/json": {}, "text/html": {}}},
            "429": {"description": "no body"},
            "466": {"content": {"application/json": {}}}
        }}}}});
        assert_eq!(for_generator(&mut doc), 3);
        assert_eq!(
            responses(&doc),
            &json!({
                "200": {"content": {"application/json": {}, "text/html": {}}},
                "401": {"content": {"application/json": {}}},
                "466": {"content": {"application/json": {}}}
            })
        );
    }

    #[test]
    fn without_a_json_error_body_every_error_is_kept_without_content() {
        let mut doc = json!({"paths": {"/s": {"get": {"responses": {
            "200": {"content": {"application/json": {}}},
            "400": {"content": {"text/plain": {}}},
            "401": {"description": "no body"}
        }}}}});
        assert_eq!(for_generator(&mut doc), 1);
        assert_eq!(
            responses(&doc),
            &json!({
                "200": {"content": {"application/json": {}}},
                "400": {},
                "401": {"description": "no body"}
            })
        );
    }
}
