//! One error type for every provider, with the kinds of the status model.

use std::fmt;

use std::time::Duration;

pub use wa_model::ErrorKind;

use crate::Provider;

/// Why a status check failed: its kind (the status model's wire name), the provider, the
/// HTTP status when there was one, what went wrong in a few words, and what the vendor
/// said, short and with every credential masked.
///
/// `Display` is one line that starts with the provider and the kind:
/// `PROVIDER: unauthenticated: the credentials were rejected (HTTP 401): Invalid token`.
/// No error ever holds a secret: bodies are cut to a short excerpt with credentials masked,
/// and transport errors carry no URL where a provider's URL holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    provider: Option<Provider>,
    status: Option<u16>,
    summary: String,
    vendor: Option<String>,
    retry_after: Option<Duration>,
    temporary: bool,
}

impl Error {
    /// An error of `kind`; `summary` says what went wrong, in a few words.
    pub(crate) fn new(
        kind: ErrorKind,
        provider: Option<Provider>,
        summary: impl Into<String>,
    ) -> Error {
        Error {
            kind,
            provider,
            status: None,
            summary: summary.into(),
            vendor: None,
            retry_after: None,
            temporary: kind.is_temporary(),
        }
    }

    pub(crate) fn invalid_config(provider: Option<Provider>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidConfig, provider, message)
    }

    /// The HTTP status the error comes with.
    pub(crate) fn with_status(mut self, status: u16) -> Error {
        self.status = Some(status);
        self
    }

    /// What the vendor said (already short and masked); empty text is nothing said.
    pub(crate) fn with_vendor(mut self, words: Option<String>) -> Error {
        self.vendor = words.filter(|w| !w.trim().is_empty());
        self
    }

    /// The wait the provider asked for.
    pub(crate) fn with_retry_after(mut self, wait: Option<Duration>) -> Error {
        self.retry_after = wait;
        self
    }

    /// Marks the error temporary (or not) whatever its kind, as a vendor may say.
    pub(crate) fn with_temporary(mut self, temporary: bool) -> Error {
        self.temporary = temporary;
        self
    }

    /// The kind, with its wire name.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether retrying later may succeed: rate limits and unavailability, and any error
    /// the vendor marks as transient.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// The provider the failure concerns, when known (not for a connection string whose
    /// scheme names no provider).
    pub fn provider(&self) -> Option<Provider> {
        self.provider
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// What went wrong, in a few words, without the vendor's.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// What the vendor said: the `message`, `error` or `description` of its body, or its
    /// text, short and with every credential masked.
    pub fn vendor_message(&self) -> Option<&str> {
        self.vendor.as_deref()
    }

    /// The wait the provider asked for with a 429, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(provider) = self.provider {
            write!(f, "{provider}: ")?;
        }
        write!(f, "{}: {}", self.kind, self.summary)?;
        match (self.status, self.retry_after) {
            (Some(status), Some(wait)) => {
                write!(f, " (HTTP {status}, retry after {} s)", wait.as_secs_f64())?
            }
            (Some(status), None) => write!(f, " (HTTP {status})")?,
            (None, Some(wait)) => write!(f, " (retry after {} s)", wait.as_secs_f64())?,
            (None, None) => {}
        }
        if let Some(vendor) = &self.vendor {
            write!(f, ": {vendor}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The longest body excerpt kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 120;

/// The longest vendor message kept in an error, in characters. A vendor's sentence often
/// tells the user what to do (one names the edition that runs more than one session, in 289
/// characters), so it is kept whole up to this bound, and cut at the end of a sentence past
/// it.
pub const VENDOR_WORDS_CHARS: usize = 400;

/// A short, printable excerpt of a body, with every secret masked. Control characters are
/// escaped so that an excerpt stays on one line.
pub(crate) fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    short(&String::from_utf8_lossy(body), secrets)
}

/// `text` with every secret masked, cut to [`EXCERPT_CHARS`] and kept on one line.
pub(crate) fn short(text: &str, secrets: &[&str]) -> String {
    cut(&masked(text, secrets), EXCERPT_CHARS)
}

/// What a vendor said, masked and on one line: whole up to [`VENDOR_WORDS_CHARS`], else cut
/// after the last sentence that fits (or the last word, when no sentence ends in time).
pub(crate) fn vendor_words(text: &str, secrets: &[&str]) -> String {
    let text = masked(text, secrets);
    if text.chars().count() <= VENDOR_WORDS_CHARS {
        return cut(&text, VENDOR_WORDS_CHARS);
    }
    let head: String = text.chars().take(VENDOR_WORDS_CHARS).collect();
    let end = head
        .rfind(". ")
        .map(|i| i + 1)
        .or_else(|| head.rfind(' '))
        .filter(|&i| i > 0)
        .unwrap_or(head.len());
    let mut out = cut(head[..end].trim_end(), VENDOR_WORDS_CHARS);
    out.push('…');
    out
}

/// `text` cut to `limit` characters (with `…` when it was longer), control characters
/// escaped so that it stays on one line.
fn cut(text: &str, limit: usize) -> String {
    let mut out: String = text
        .chars()
        .take(limit)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if text.chars().count() > limit {
        out.push('…');
    }
    out
}

pub(crate) use crate::mask::masked;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_masked_and_on_one_line() {
        assert_eq!(excerpt(b"", &[]), "(empty)");
        assert_eq!(excerpt(b"token=abc\ndone", &["abc"]), "token=***\\ndone");
        let long = "x".repeat(500);
        let cut = excerpt(long.as_bytes(), &[]);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&[0xff, b'a'], &[]), "\u{fffd}a");
    }

    #[test]
    fn a_vendors_sentence_is_kept_whole_and_a_longer_text_cut_after_a_sentence() {
        // A vendor's 251-character answer that says what to do: several sentences, quotes, a
        // base64 value and a URL.
        let sentence = "This edition supports only the 'default' session. You tried to access the 'support' session (base64: c3VwcG9ydA==). If you want to run more than one WhatsApp account, please get the other edition of the server. Check this out: https://gateway.example/";
        assert_eq!(vendor_words(sentence, &[]), sentence);
        let long = format!("{} The end is far away.", "First sentence. ".repeat(30));
        let cut = vendor_words(&long, &[]);
        assert!(cut.chars().count() <= VENDOR_WORDS_CHARS + 1, "{cut}");
        assert!(cut.ends_with("First sentence.…"), "{cut}");
        let words = "word ".repeat(100);
        assert!(vendor_words(&words, &[]).ends_with("word…"));
        assert_eq!(
            vendor_words("bad key k-1\nretry", &["k-1"]),
            "bad key ***\\nretry"
        );
    }

    #[test]
    fn messages_start_with_the_provider_and_the_kind_and_end_with_the_vendors_words() {
        for provider in Provider::ALL.iter().copied() {
            let error = Error::new(ErrorKind::RateLimited, Some(provider), "rate limited")
                .with_status(429)
                .with_retry_after(Some(Duration::from_secs(42)))
                .with_vendor(Some("Too Many Attempts.".into()));
            assert_eq!(
                error.to_string(),
                format!("{provider}: rate_limited: rate limited (HTTP 429, retry after 42 s): Too Many Attempts.")
            );
            assert_eq!(error.retry_after(), Some(Duration::from_secs(42)));
            assert!(error.is_temporary());
            let quota = Error::new(
                ErrorKind::QuotaExceeded,
                Some(provider),
                "the account's quota is exhausted",
            )
            .with_status(466)
            .with_vendor(Some(" ".into()));
            assert_eq!(
                quota.to_string(),
                format!("{provider}: quota_exceeded: the account's quota is exhausted (HTTP 466)")
            );
            assert!(!quota.is_temporary());
            assert!(quota.clone().with_temporary(true).is_temporary());
        }
        assert_eq!(
            Error::invalid_config(None, "no scheme").to_string(),
            "invalid_config: no scheme"
        );
    }
}
