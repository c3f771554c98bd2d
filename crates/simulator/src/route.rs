//! Which provider and instance a request is for: each provider is served under its base
//! path, and its status call's path template (from the normalized document, through the
//! catalog) is matched segment by segment. A template segment may glue a parameter to
//! literal text, as in `/prefix{id}/status`.

use percent_encoding::percent_decode_str;
use wa_providers::{Placement, Provider};

/// A request path matched to a provider's status call.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Matched {
    pub provider: Provider,
    /// The path parameters, percent-decoded, by name.
    pub params: Vec<(String, String)>,
}

impl Matched {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The instance the request's path names (empty where a credential names it).
    pub fn instance(&self) -> &str {
        self.provider
            .info()
            .instance
            .parameter
            .and_then(|parameter| self.param(parameter))
            .unwrap_or_default()
    }
}

/// The provider and parameters of `path`, if it is a provider's status call.
pub(crate) fn match_path(path: &str) -> Option<Matched> {
    Provider::ALL.iter().copied().find_map(|provider| {
        let info = provider.info();
        let rest = path.strip_prefix(info.simulator.base_path)?;
        let params = match_template(info.status.path, rest)?;
        Some(Matched { provider, params })
    })
}

fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let path: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    if template.len() != path.len() {
        return None;
    }
    let mut params = Vec::new();
    for (pattern, segment) in template.iter().zip(path) {
        match pattern.split_once('{') {
            None if *pattern == segment => {}
            None => return None,
            Some((prefix, rest)) => {
                let (name, suffix) = rest.split_once('}')?;
                let value = segment.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if value.is_empty() {
                    return None;
                }
                let decoded = percent_decode_str(value).decode_utf8_lossy().into_owned();
                params.push((name.to_owned(), decoded));
            }
        }
    }
    Some(params)
}

/// A request path fit for the log: a credential carried in the path becomes `***`. The
/// query, where one may be carried too, is never logged, nor are headers.
pub(crate) fn redact_path(path: &str) -> String {
    let Some(matched) = match_path(path) else {
        return path.to_owned();
    };
    let info = matched.provider.info();
    let in_path: Vec<&str> = info
        .auth
        .credentials
        .iter()
        .filter_map(|c| match c.placement {
            Placement::Path { parameter } => Some(parameter),
            _ => None,
        })
        .collect();
    if in_path.is_empty() {
        return path.to_owned();
    }
    let template: Vec<&str> = info
        .status
        .path
        .trim_start_matches('/')
        .split('/')
        .collect();
    let rest = &path[info.simulator.base_path.len()..];
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let redacted: Vec<&str> = template
        .iter()
        .zip(&segments)
        .map(|(pattern, segment)| {
            if in_path
                .iter()
                .any(|p| pattern.contains(&format!("{{{p}}}")))
            {
                "***"
            } else {
                segment
            }
        })
        .collect();
    format!("{}/{}", info.simulator.base_path, redacted.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_glued_parameters_and_decode_them() {
        assert_eq!(
            match_template(
                "/waInstance{idInstance}/getStateInstance/{apiTokenInstance}",
                "/waInstance1101/getStateInstance/abc%2Fdef"
            ),
            Some(vec![
                ("idInstance".into(), "1101".into()),
                ("apiTokenInstance".into(), "abc/def".into())
            ])
        );
        assert_eq!(match_template("/{instance}/health", "/x/health/more"), None);
        assert_eq!(match_template("/{instance}/health", "/x/status"), None);
        assert_eq!(match_template("/{instance}/health", "//health"), None);
    }

    #[test]
    fn every_providers_status_path_matches_and_path_tokens_are_redacted() {
        for provider in Provider::ALL.iter().copied() {
            let info = provider.info();
            let path = info
                .status
                .path
                .split('/')
                .map(|segment| match segment.split_once('{') {
                    Some((prefix, rest)) => {
                        let (_, suffix) = rest.split_once('}').unwrap();
                        format!("{prefix}secret-token{suffix}")
                    }
                    None => segment.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let full = format!("{}{path}", info.simulator.base_path);
            let matched = match_path(&full).unwrap();
            assert_eq!(matched.provider, provider);
            // A provider that knows the instance by a credential has none in its path.
            let instance = match info.instance.parameter {
                Some(_) => "secret-token",
                None => "",
            };
            assert_eq!(matched.instance(), instance);
            let redacted = redact_path(&full);
            let in_path = info
                .auth
                .credentials
                .iter()
                .any(|c| matches!(c.placement, Placement::Path { .. }));
            match in_path {
                true => assert!(redacted.contains("***"), "{redacted}"),
                false => assert_eq!(redacted, full),
            }
        }
    }
}
