//! The kinds of a failed check.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::UnknownName;

/// The kind of a failure, by its wire name (the CLI's `error.kind`, the exporter's label).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The target or configuration cannot be used.
    InvalidConfig,
    /// The provider rejected the credentials.
    Unauthenticated,
    /// The provider does not know the instance.
    NotFound,
    /// The provider answered 429; the wait it asked for is kept.
    RateLimited,
    /// The account's quota is spent.
    QuotaExceeded,
    /// Connect failure, timeout, reset, 5xx.
    Unavailable,
    /// A 2xx body that is not what the provider's spec describes.
    Decode,
    /// Any other HTTP status.
    UnexpectedStatus,
}

impl ErrorKind {
    /// Every kind, in the order of the status model.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::InvalidConfig,
        ErrorKind::Unauthenticated,
        ErrorKind::NotFound,
        ErrorKind::RateLimited,
        ErrorKind::QuotaExceeded,
        ErrorKind::Unavailable,
        ErrorKind::Decode,
        ErrorKind::UnexpectedStatus,
    ];

    /// The wire name, e.g. `rate_limited`.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::QuotaExceeded => "quota_exceeded",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Decode => "decode",
            ErrorKind::UnexpectedStatus => "unexpected_status",
        }
    }

    /// Whether retrying later may succeed: rate limits and unavailability pass.
    pub fn is_temporary(self) -> bool {
        matches!(self, ErrorKind::RateLimited | ErrorKind::Unavailable)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ErrorKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        ErrorKind::ALL
            .into_iter()
            .find(|kind| kind.name() == s)
            .ok_or_else(|| UnknownName::new("error kind", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_the_status_models_wire_names_and_temporary_flags() {
        let table: Vec<(&str, bool)> = ErrorKind::ALL
            .iter()
            .map(|k| (k.name(), k.is_temporary()))
            .collect();
        assert_eq!(
            table,
            [
                ("invalid_config", false),
                ("unauthenticated", false),
                ("not_found", false),
                ("rate_limited", true),
                ("quota_exceeded", false),
                ("unavailable", true),
                ("decode", false),
                ("unexpected_status", false),
            ]
        );
        for kind in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(kind.name().parse(), Ok(kind));
        }
    }
}
