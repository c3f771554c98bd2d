//! The request log: one line per request, never with a secret in it.

use std::sync::{Arc, Mutex, PoisonError};

/// Where request log lines go.
#[derive(Clone)]
pub struct RequestLog {
    target: Target,
}

#[derive(Clone)]
enum Target {
    Off,
    Stderr,
    Memory(Arc<Mutex<Vec<String>>>),
}

impl RequestLog {
    /// No log.
    pub fn off() -> RequestLog {
        RequestLog {
            target: Target::Off,
        }
    }

    /// Lines to standard error, as the binary does.
    pub fn stderr() -> RequestLog {
        RequestLog {
            target: Target::Stderr,
        }
    }

    /// Lines kept in memory, for tests to read with [`RequestLog::lines`].
    pub fn memory() -> RequestLog {
        RequestLog {
            target: Target::Memory(Arc::default()),
        }
    }

    /// The lines kept so far (memory logs only).
    pub fn lines(&self) -> Vec<String> {
        match &self.target {
            Target::Memory(lines) => lines.lock().unwrap_or_else(PoisonError::into_inner).clone(),
            _ => Vec::new(),
        }
    }

    /// Logs one request. `path` must already be redacted (`route::redact_path`).
    pub(crate) fn request(&self, method: &str, path: &str, status: u16, note: &str) {
        if matches!(self.target, Target::Off) {
            return;
        }
        let line = if note.is_empty() {
            format!("{method} {path} -> {status}")
        } else {
            format!("{method} {path} -> {status} ({note})")
        };
        match &self.target {
            Target::Off => {}
            Target::Stderr => eprintln!("{line}"),
            Target::Memory(lines) => lines
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_logs_keep_lines() {
        let log = RequestLog::memory();
        log.request("GET", "/a", 200, "");
        log.request("GET", "/b", 429, "rate limited");
        assert_eq!(
            log.lines(),
            ["GET /a -> 200", "GET /b -> 429 (rate limited)"]
        );
    }
}
