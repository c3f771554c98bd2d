//! What a check came to, for people (a table), for programs (JSON), and for monitoring
//! systems (the exit status and the plugin line).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use wa_unified::{ConnectionState, Error, InstanceStatus, Provider};

use crate::threshold::Threshold;

/// The version of the JSON objects `check` prints (`schema/check.schema.json`): it changes
/// when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

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

    /// The JSON object of `--format json` and `jsonl`, as `schema/check.schema.json`
    /// describes it.
    pub fn to_json(&self) -> Value {
        match &self.result {
            Ok(status) => json!({
                "schema_version": SCHEMA_VERSION,
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
                "schema_version": SCHEMA_VERSION,
                "name": self.name,
                "provider": self.provider.name(),
                "instance": self.instance,
                "state": "error",
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

/// The thresholds of `check -w/-c`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Thresholds {
    pub warning: Option<Threshold>,
    pub critical: Option<Threshold>,
}

/// How many instances are not connected: not read as `connected`, failed checks included.
fn not_connected(outcomes: &[Outcome]) -> usize {
    outcomes
        .iter()
        .filter(|o| o.reading() != "connected")
        .count()
}

/// The fleet's severity: the worst instance's without thresholds; with them, whether the
/// instances not connected are beyond them (unknown when no instance could be read).
pub fn fleet_severity(outcomes: &[Outcome], thresholds: Thresholds) -> Severity {
    if thresholds.warning.is_none() && thresholds.critical.is_none() {
        return worst(outcomes);
    }
    if outcomes.iter().all(|o| o.result.is_err()) {
        return Severity::Unknown;
    }
    let (down, total) = (not_connected(outcomes), outcomes.len());
    let beyond = |t: Option<Threshold>| t.is_some_and(|t| t.exceeded(down, total));
    if beyond(thresholds.critical) {
        Severity::Critical
    } else if beyond(thresholds.warning) {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

/// How much of a plugin's output Nagios keeps (`MAX_PLUGIN_OUTPUT_LENGTH`), in bytes: past
/// it, the rest is lost, the perfdata too when the first line is the long one.
const PLUGIN_OUTPUT_BYTES: usize = 8192;

/// The most bytes of text before the perfdata on the first line; a fleet file's name may
/// be any length.
const FIRST_LINE_TEXT_BYTES: usize = 1024;

/// What Nagios and Icinga read (the Monitoring Plugins format): a first line with the
/// status, the worst instance's reason and perfdata after `|`; for a fleet, one more line
/// per instance not connected, worst first (every instance with `every`). The perfdata set
/// is the same on every run: every state, zeros included, failed checks, and the instances
/// not connected with the thresholds. The whole output stays within what Nagios keeps.
pub fn plugin_output(outcomes: &[Outcome], thresholds: Thresholds, every: bool) -> String {
    let total = outcomes.len();
    let down = not_connected(outcomes);
    let severity = fleet_severity(outcomes, thresholds);
    // The worst first; within a severity, in fleet order.
    let mut ordered: Vec<&Outcome> = outcomes.iter().collect();
    ordered.sort_by_key(|o| std::cmp::Reverse(o.severity().rank()));
    let text = match (outcomes, ordered.first()) {
        ([only], _) => format!("{}: {}", only.name, reason(only)),
        _ if down == 0 => format!("{total} of {total} connected"),
        (_, Some(worst)) => format!(
            "{down} of {total} not connected: {}: {}",
            worst.name,
            reason(worst)
        ),
        (_, None) => "no instance".to_owned(),
    };
    let by_reading: BTreeMap<&str, usize> = counts(outcomes).into_iter().collect();
    let mut perfdata: Vec<String> = ConnectionState::ALL
        .iter()
        .map(|s| s.name())
        .chain(["error"])
        .map(|name| {
            let count = by_reading.get(name).copied().unwrap_or(0);
            format!("{name}={count};;;0;{total}")
        })
        .collect();
    let range = |t: Option<Threshold>| t.map(|t| t.perfdata(total)).unwrap_or_default();
    perfdata.push(format!(
        "not_connected={down};{};{};0;{total}",
        range(thresholds.warning),
        range(thresholds.critical)
    ));
    let mut out = format!(
        "WHATSAPP {} - {} | {}\n",
        severity.word(),
        plugin_text(&text, FIRST_LINE_TEXT_BYTES),
        perfdata.join(" ")
    );
    if total > 1 {
        let listed: Vec<&Outcome> = ordered
            .into_iter()
            .filter(|o| every || o.severity() != Severity::Ok)
            .collect();
        // Room for the line that says how many were left out, and for the store's line.
        let budget = PLUGIN_OUTPUT_BYTES - 512;
        for (shown, outcome) in listed.iter().enumerate() {
            let line = format!(
                "{} [{}]: {}",
                outcome.name,
                outcome.provider,
                reason(outcome)
            );
            let line = plugin_text(&line, crate::output::MAX_TEXT);
            if out.len() + line.len() + 1 > budget {
                out.push_str(&format!("… {} more not shown\n", listed.len() - shown));
                break;
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The one line of bad input in plugin mode: Nagios shows "(No output on stdout)" when a
/// plugin prints nothing there.
pub fn plugin_error(message: &str) -> String {
    format!(
        "WHATSAPP UNKNOWN - {}\n",
        plugin_text(message, FIRST_LINE_TEXT_BYTES)
    )
}

/// Why an instance reads as it does, on one line: its state, action and named details, or
/// its error (kind, summary and the vendor's words).
fn reason(outcome: &Outcome) -> String {
    match &outcome.result {
        Ok(status) => {
            let mut text = status.state.to_string();
            if let Some(action) = status.required_action.filter(|a| a.name() != "none") {
                text.push_str(&format!(" ({})", action.name()));
            }
            if !status.details.is_empty() {
                text.push_str(&format!(", {}", details_cell(&status.details)));
            }
            text
        }
        Err(error) => error.to_string(),
    }
}

/// `text` safe for a plugin line and at most `max` bytes: `|` (which starts perfdata)
/// becomes `/`, and what could forge or reorder a line is escaped.
fn plugin_text(text: &str, max: usize) -> String {
    let text = crate::output::one_line(&text.replace('|', "/"), usize::MAX);
    crate::output::cut_bytes(&text, max)
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
        .map(|row| row.map(|cell| crate::output::one_line(&cell, crate::output::MAX_TEXT)))
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

    fn outcome(name: &str, state: Option<ConnectionState>) -> Outcome {
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
            name: name.into(),
            provider: Provider::ALL[0],
            instance: "i".into(),
            result,
            elapsed: Duration::ZERO,
        }
    }

    fn fleet(states: &[Option<ConnectionState>]) -> Vec<Outcome> {
        states
            .iter()
            .enumerate()
            .map(|(n, s)| outcome(&format!("n{n}"), *s))
            .collect()
    }

    /// The perfdata every run prints, for these counts in the order of the states.
    fn perfdata(counts: [usize; 12], total: usize, down: usize, w: &str, c: &str) -> String {
        let mut parts: Vec<String> = ConnectionState::ALL
            .iter()
            .map(|s| s.name())
            .chain(["error"])
            .zip(counts)
            .map(|(name, count)| format!("{name}={count};;;0;{total}"))
            .collect();
        parts.push(format!("not_connected={down};{w};{c};0;{total}"));
        parts.join(" ")
    }

    #[test]
    fn the_worst_severity_wins_critical_then_unknown_then_warning() {
        use ConnectionState as S;
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
    fn a_fleet_names_its_worst_instance_first_and_lists_the_instances_not_connected() {
        use ConnectionState as S;
        let fleet = fleet(&[
            Some(S::Connected),
            Some(S::Starting),
            Some(S::Connected),
            None,
            Some(S::AwaitingPairing),
        ]);
        let error = fleet[3].result.as_ref().unwrap_err().to_string();
        let provider = Provider::ALL[0];
        let position = |state| {
            ConnectionState::ALL
                .iter()
                .position(|s| *s == state)
                .unwrap()
        };
        let mut counts = [0; 12];
        counts[position(S::Connected)] = 2;
        counts[position(S::Starting)] = 1;
        counts[position(S::AwaitingPairing)] = 1;
        counts[11] = 1; // error
        let problems = format!(
            "WHATSAPP CRITICAL - 3 of 5 not connected: n4: awaiting_pairing (scan_qr) | {}\n\
             n4 [{provider}]: awaiting_pairing (scan_qr)\n\
             n3 [{provider}]: {error}\n\
             n1 [{provider}]: starting (wait)\n",
            perfdata(counts, 5, 3, "", "")
        );
        assert_eq!(
            plugin_output(&fleet, Thresholds::default(), false),
            problems
        );
        // -v: every instance, the connected ones last.
        assert_eq!(
            plugin_output(&fleet, Thresholds::default(), true),
            format!("{problems}n0 [{provider}]: connected\nn2 [{provider}]: connected\n")
        );
        assert_eq!(
            summary(&fleet),
            "5 instances: 2 connected, 1 starting, 1 awaiting_pairing, 1 error"
        );
    }

    #[test]
    fn a_connected_fleet_has_no_long_output_without_v() {
        use ConnectionState as S;
        let fleet = fleet(&[Some(S::Connected), Some(S::Connected)]);
        let mut counts = [0; 12];
        counts[0] = 2;
        let first = format!(
            "WHATSAPP OK - 2 of 2 connected | {}\n",
            perfdata(counts, 2, 0, "", "")
        );
        assert_eq!(plugin_output(&fleet, Thresholds::default(), false), first);
    }

    #[test]
    fn a_huge_name_is_cut_so_that_the_perfdata_survives() {
        let alone = vec![outcome(&"n".repeat(100_000), Some(ConnectionState::Banned))];
        let output = plugin_output(&alone, Thresholds::default(), false);
        let mut counts = [0; 12];
        counts[ConnectionState::ALL
            .iter()
            .position(|s| *s == ConnectionState::Banned)
            .unwrap()] = 1;
        let perfdata = perfdata(counts, 1, 1, "", "");
        let text = format!("{}…", "n".repeat(FIRST_LINE_TEXT_BYTES - '…'.len_utf8()));
        assert_eq!(output, format!("WHATSAPP CRITICAL - {text} | {perfdata}\n"));
    }

    #[test]
    fn the_long_output_stays_within_what_nagios_keeps() {
        let states = vec![Some(ConnectionState::Disconnected); 2_000];
        let fleet = fleet(&states);
        let output = plugin_output(&fleet, Thresholds::default(), false);
        assert!(output.len() <= PLUGIN_OUTPUT_BYTES, "{}", output.len());
        let lines: Vec<&str> = output.lines().collect();
        // The first line, then the instances in fleet order, then how many were left out.
        let listed = &lines[1..lines.len() - 1];
        for (line, outcome) in listed.iter().zip(&fleet) {
            assert_eq!(
                *line,
                format!(
                    "{} [{}]: {}",
                    outcome.name,
                    outcome.provider,
                    reason(outcome)
                )
            );
        }
        assert_eq!(
            *lines.last().unwrap(),
            format!("… {} more not shown", 2_000 - listed.len())
        );
        // What was left out would not have fitted.
        let next = &fleet[listed.len()];
        let next = format!("{} [{}]: {}\n", next.name, next.provider, reason(next));
        let before_cut = output.len() - lines.last().unwrap().len() - 1;
        assert!(before_cut + next.len() > PLUGIN_OUTPUT_BYTES - 512);
    }

    #[test]
    fn one_instance_is_named_with_its_reason_and_no_long_output() {
        let alone = vec![outcome("support", None)];
        let error = alone[0].result.as_ref().unwrap_err().to_string();
        let mut counts = [0; 12];
        counts[11] = 1;
        assert_eq!(
            plugin_output(&alone, Thresholds::default(), true),
            format!(
                "WHATSAPP UNKNOWN - support: {error} | {}\n",
                perfdata(counts, 1, 1, "", "")
            )
        );
    }

    #[test]
    fn thresholds_range_over_the_instances_not_connected() {
        use ConnectionState as S;
        let states = [
            Some(S::Connected),
            Some(S::Banned),
            Some(S::Connected),
            None,
            Some(S::Connected),
        ];
        let fleet = fleet(&states);
        let t = |w: &str, c: &str| Thresholds {
            warning: Some(Threshold::parse(w).unwrap()),
            critical: Some(Threshold::parse(c).unwrap()),
        };
        // 2 of 5 not connected.
        assert_eq!(fleet_severity(&fleet, t("2", "3")), Severity::Ok);
        assert_eq!(fleet_severity(&fleet, t("1", "3")), Severity::Warning);
        assert_eq!(fleet_severity(&fleet, t("0", "1")), Severity::Critical);
        assert_eq!(fleet_severity(&fleet, t("30%", "50%")), Severity::Warning);
        assert_eq!(fleet_severity(&fleet, t("40%", "50%")), Severity::Ok);
        assert_eq!(fleet_severity(&fleet, t("3:", "~:5")), Severity::Warning);
        assert_eq!(fleet_severity(&fleet, t("~:5", "@2:3")), Severity::Critical);
        assert_eq!(fleet_severity(&fleet, t("@0:1", "@3:5")), Severity::Ok);
        let first_line = plugin_output(&fleet, t("1", "25%"), false);
        let first_line = first_line.lines().next().unwrap();
        assert!(
            first_line.starts_with(
                "WHATSAPP CRITICAL - 2 of 5 not connected: n1: banned (contact_support) | "
            ),
            "{first_line}"
        );
        assert!(
            first_line.ends_with(" not_connected=2;1;1.25;0;5"),
            "{first_line}"
        );
        let ranges = plugin_output(&fleet, t("3:", "@2:3"), false);
        assert!(
            ranges
                .lines()
                .next()
                .unwrap()
                .ends_with(" not_connected=2;3:;@2:3;0;5"),
            "{ranges}"
        );
        // No instance read: unknown, whatever the thresholds.
        assert_eq!(
            fleet_severity(&self::fleet(&[None, None]), t("5", "5")),
            Severity::Unknown
        );
    }

    #[test]
    fn plugin_text_stays_on_one_line_unreordered_and_out_of_the_perfdata() {
        assert_eq!(
            plugin_text("a|b\nc\u{1b}d\u{2028}e\u{202e}f\u{2067}", 100),
            "a/b\\nc\\u{1b}d\\u{2028}e\\u{202e}f\\u{2067}"
        );
        assert_eq!(
            plugin_error("bad\ninput"),
            "WHATSAPP UNKNOWN - bad\\ninput\n"
        );
    }
}
