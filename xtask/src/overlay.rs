//! Applying a provider's OpenAPI Overlay (OAI Overlay Specification 1.1) to its document.

use enumset::EnumSet;
use roas_overlay::apply::{Apply, ApplyOptions};
use roas_overlay::v1_1::Overlay;
use roas_overlay::validation::Validate;
use serde_json::Value;

/// Parses an overlay written in YAML, checks it, and applies it to `doc`.
///
/// Every action must say why it exists (`description`), and every target must match at
/// least one node: a fix that silently stops applying after a vendor update is worse than a
/// failed build.
pub fn apply_overlay(doc: &mut Value, overlay_yaml: &str) -> Result<usize, String> {
    let overlay: Overlay =
        serde_yaml_ng::from_str(overlay_yaml).map_err(|e| format!("overlay is not valid: {e}"))?;
    overlay
        .validate(EnumSet::empty())
        .map_err(|e| format!("overlay is not valid: {e}"))?;
    for (index, action) in overlay.actions.iter().enumerate() {
        let explained = action
            .description
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty());
        if !explained {
            return Err(format!(
                "overlay action {index} (target {}) has no description saying why it is needed",
                action.target
            ));
        }
    }
    let report = overlay
        .apply(doc, ApplyOptions::ErrorOnZeroMatch.into())
        .map_err(|e| format!("overlay does not apply: {e}"))?;
    Ok(report.actions.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const HEADER: &str = "overlay: 1.1.0\ninfo:\n  title: t\n  version: '1'\n";

    #[test]
    fn actions_apply_in_order() {
        let mut doc =
            json!({"paths": {"/a": {"get": {"parameters": [{"name": "Accept"}, {"name": "id"}]}}}});
        let overlay = format!(
            "{HEADER}actions:\n\
             - target: $.paths['/a'].get\n  description: give it an id\n  update:\n    operationId: getA\n\
             - target: $.paths['/a'].get.parameters[?@.name == 'Accept']\n  description: the client sets Accept\n  remove: true\n"
        );
        assert_eq!(apply_overlay(&mut doc, &overlay), Ok(2));
        assert_eq!(
            doc,
            json!({"paths": {"/a": {"get": {"parameters": [{"name": "id"}], "operationId": "getA"}}}})
        );
    }

    #[test]
    fn an_action_without_a_reason_is_refused() {
        let mut doc = json!({"info": {}});
        let overlay = format!("{HEADER}actions:\n- target: $.info\n  update:\n    title: x\n");
        assert_eq!(
            apply_overlay(&mut doc, &overlay),
            Err(
                "overlay action 0 (target $.info) has no description saying why it is needed"
                    .into()
            )
        );
    }

    #[test]
    fn a_target_that_matches_nothing_is_an_error() {
        let mut doc = json!({"info": {}});
        let overlay = format!(
            "{HEADER}actions:\n- target: $.paths['/gone']\n  description: stale\n  remove: true\n"
        );
        let error = apply_overlay(&mut doc, &overlay).unwrap_err();
        assert!(
            error.starts_with("overlay does not apply: actions[0] (target \"$.paths['/gone']\")"),
            "{error}"
        );
        assert_eq!(doc, json!({"info": {}}));
    }
}
