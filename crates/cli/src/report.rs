//! What a check came to, for people (a table), for programs (JSON), and for monitoring
//! systems (the exit status and the plugin line).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use wa_unified::{ConnectionState, Error, InstanceStatus, Provider};

/// One instance's result.
pub struct Outcome {
    pub name: String,
    pub provider: Provider,
    pub instance: String,
    pub result: Result<InstanceStatus, Error>,
    pub elapsed: Duration,
}

/// The monitoring-plugin status, by severity: critical, then unknown, then warning, then ok.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Ok,
    Warning,
    Unknown,
    Critical,
}

impl Severity {
    /// Higher is worse.
    fn rank(self) -> u8 {
        match self {
            Severity::Ok => 0,
            Severity::Warning => 1,
            Severity::Unknown => 2,
            Severity::Critical => 3,
        }
    }

    pub fn exit_code(self) -> u8 {
        match self {
            Severity::Ok => 0,
            Severity::Warning => 1,
            Severity::Critical => 2,
            Severity::Unknown => 3,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Severity::Ok => "OK",
            Severity::Warning => "WARNING",
            Severity::Critical => "CRITICAL",
            Severity::Unknown => "UNKNOWN",
        }
    }

    pub fn of_state(state: ConnectionState) -> Severity {
        match state {
            ConnectionState::Connected => Severity::Ok,
            ConnectionState::Restricted
            | ConnectionState::PhoneOffline
            | ConnectionState::Starting
            | ConnectionState::Provisioning => Severity::Warning,
            ConnectionState::AwaitingPairing
            | ConnectionState::Disconnected
            | ConnectionState::Stopped
            | ConnectionState::Failed
            | ConnectionState::Banned => Severity::Critical,
            _ => Severity::Unknown,
        }
    }
}

impl Outcome {
    pub fn severity(&self) -> Severity {
        match &self.result {
            Ok(status) => Severity::of_state(status.state),
            Err(_) => Severity::Unknown,
        }
    }

    /// The state's wire name, or `error`.
    pub fn reading(&self) -> &'static str {
        match &self.result {
            Ok(status) => status.state.name(),
            Err(_) => "error",
        }
    }

    /// The JSON object of `--format json` and `jsonl`.
    pub fn to_json(&self) -> Value {
        match &self.result {
            Ok(status) => json!({
                "name": self.name,
                "provider": self.provider.name(),
                "instance": self.instance,
                "state": status.state.name(),
                "raw_state": status.raw_state,
                "required_action": status.required_action.map(|a| a.name()),
                "phone": status.account.phone,
                "jid": status.account.jid,
                "display_name": status.account.display_name,
                "connected_at": status.connected_at,
                "details": status.details,
                "observed_at": humantime::format_rfc3339_millis(status.observed_at).to_string(),
            }),
            Err(error) => json!({
                "name": self.name,
                "provider": self.provider.name(),
                "instance": self.instance,
                "error": error_json(error),
            }),
        }
    }
}

/// An error as JSON: its kind, its one-line message, and its parts for programs (the
/// vendor's own words, the HTTP status and the wait asked for, each `null` when absent).
pub fn error_json(error: &Error) -> Value {
    json!({
        "kind": error.kind().name(),
        "message": error.to_string(),
        "vendor_message": error.vendor_message(),
        "http_status": error.status(),
        "retry_after_seconds": error.retry_after().map(|wait| wait.as_secs_f64()),
        "temporary": error.is_temporary(),
    })
}

/// The worst severity of a fleet; `Unknown` for an empty one.
pub fn worst(outcomes: &[Outcome]) -> Severity {
    outcomes
        .iter()
        .map(Outcome::severity)
        .max_by_key(|s| s.rank())
        .unwrap_or(Severity::Unknown)
}

/// Counts by state (and `error`), in the status model's order.
fn counts(outcomes: &[Outcome]) -> Vec<(&'static str, usize)> {
    let mut by_reading: BTreeMap<&'static str, usize> = BTreeMap::new();
    for outcome in outcomes {
        *by_reading.entry(outcome.reading()).or_default() += 1;
    }
    ConnectionState::ALL
        .iter()
        .map(|s| s.name())
        .chain(["error"])
        .filter_map(|name| by_reading.get(name).map(|count| (name, *count)))
        .collect()
}

/// `5 instances: 2 connected, 1 awaiting_pairing, 1 restricted, 1 error`.
pub fn summary(outcomes: &[Outcome]) -> String {
    let parts: Vec<String> = counts(outcomes)
        .into_iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    let noun = if outcomes.len() == 1 {
        "instance"
    } else {
        "instances"
    };
    format!("{} {noun}: {}", outcomes.len(), parts.join(", "))
}

/// The line Nagios and Icinga read: status, text, and perfdata after `|`.
pub fn plugin_line(outcomes: &[Outcome]) -> String {
    let total = outcomes.len();
    let connected = outcomes
        .iter()
        .filter(|o| o.reading() == "connected")
        .count();
    let severity = worst(outcomes);
    let mut text = if connected == total {
        format!("{total} of {total} connected")
    } else {
        format!("{} of {total} not connected", total - connected)
    };
    if let Some(reason) = first_problem(outcomes) {
        text.push_str(": ");
        text.push_str(&reason);
    }
    let mut perfdata = vec![format!("connected={connected};;;0;{total}")];
    for (name, count) in counts(outcomes) {
        if name != "connected" {
            perfdata.push(format!("{name}={count};;;0;{total}"));
        }
    }
    format!(
        "WHATSAPP {} - {text} | {}",
        severity.word(),
        perfdata.join(" ")
    )
}

/// Why the first instance that is not connected is not: its name and its error (kind,
/// summary and the vendor's words) or its state, on one line. A plugin's first line is
/// all a Nagios operator sees, so it must name the reason, not only count instances.
fn first_problem(outcomes: &[Outcome]) -> Option<String> {
    let outcome = outcomes.iter().find(|o| o.reading() != "connected")?;
    let reason = match &outcome.result {
        Ok(status) => match status.required_action {
            Some(action) => format!("{} ({})", status.state, action.name()),
            None => status.state.to_string(),
        },
        Err(error) => error.to_string(),
    };
    Some(format!("{}: {reason}", outcome.name).replace('|', "/"))
}

/// Named details as `name=value` pairs, or `-`.
fn details_cell(details: &BTreeMap<String, String>) -> String {
    if details.is_empty() {
        return "-".into();
    }
    let pairs: Vec<String> = details.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(" ")
}

/// The table for people.
pub fn table(outcomes: &[Outcome]) -> String {
    let header = [
        "NAME", "PROVIDER", "STATE", "RAW", "PHONE", "ACTION", "DETAILS", "ERROR",
    ];
    let rows: Vec<[String; 8]> = outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(status) => [
                o.name.clone(),
                o.provider.name().to_owned(),
                status.state.name().to_owned(),
                status.raw_state.clone(),
                status.account.phone.clone().unwrap_or_else(|| "-".into()),
                status.required_action.map_or("-", |a| a.name()).to_owned(),
                details_cell(&status.details),
                "-".into(),
            ],
            Err(error) => [
                o.name.clone(),
                o.provider.name().to_owned(),
                "error".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                error.to_string(),
            ],
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        text.trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(state: Option<ConnectionState>) -> Outcome {
        let result = match state {
            Some(state) => Ok(InstanceStatus::new(
                Provider::ALL[0],
                "i",
                wa_unified::Observation::new(state, "RAW"),
            )),
            None => Err("no-such-gateway://x@h/i"
                .parse::<wa_unified::InstanceConfig>()
                .unwrap_err()),
        };
        Outcome {
            name: "n".into(),
            provider: Provider::ALL[0],
            instance: "i".into(),
            result,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn the_worst_severity_wins_critical_then_unknown_then_warning() {
        use ConnectionState as S;
        let fleet =
            |states: &[Option<S>]| -> Vec<Outcome> { states.iter().map(|s| outcome(*s)).collect() };
        assert_eq!(worst(&fleet(&[Some(S::Connected)])).exit_code(), 0);
        assert_eq!(
            worst(&fleet(&[Some(S::Connected), Some(S::Starting)])).exit_code(),
            1
        );
        assert_eq!(
            worst(&fleet(&[Some(S::Starting), Some(S::Unknown)])).exit_code(),
            3
        );
        assert_eq!(worst(&fleet(&[Some(S::Starting), None])).exit_code(), 3);
        assert_eq!(
            worst(&fleet(&[None, Some(S::Banned), Some(S::Starting)])).exit_code(),
            2
        );
        assert_eq!(worst(&[]).exit_code(), 3);
    }

    #[test]
    fn the_plugin_line_has_status_text_and_perfdata() {
        use ConnectionState as S;
        let fleet: Vec<Outcome> = [
            Some(S::Connected),
            Some(S::Connected),
            Some(S::AwaitingPairing),
            None,
        ]
        .into_iter()
        .map(outcome)
        .collect();
        assert_eq!(
            plugin_line(&fleet),
            "WHATSAPP CRITICAL - 2 of 4 not connected: n: awaiting_pairing (scan_qr) | connected=2;;;0;4 awaiting_pairing=1;;;0;4 error=1;;;0;4"
        );
        assert_eq!(
            summary(&fleet),
            "4 instances: 2 connected, 1 awaiting_pairing, 1 error"
        );
    }
}
