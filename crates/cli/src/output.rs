//! Writing for people and programs without ever panicking: `println!` and `eprintln!` panic
//! when the other end of a pipe is gone (`wa-status check | head -1`), and text from
//! providers and fleet files may hold control characters that would forge lines.

use std::io::{self, Write};

/// Standard output that a closed pipe silences instead of failing: the command goes on (a
/// check still ends with the fleet's exit status) and writes nothing more.
pub struct Stdout {
    inner: io::Stdout,
    closed: bool,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            inner: io::stdout(),
            closed: false,
        }
    }

    /// Whether the reader went away.
    pub fn closed(&self) -> bool {
        self.closed
    }

    fn silence<T>(&mut self, result: io::Result<T>, otherwise: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(otherwise)
            }
            other => other,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.silence(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.silence(result, ())
    }
}

/// Completes when standard output is a pipe whose reader has gone (`watch | head -1`), so
/// that a command that prints only on a change stops at once instead of polling, and
/// spending quota, until its next line fails. Never completes for a terminal, a file or
/// anything else the system cannot watch.
pub async fn reader_gone() {
    #[cfg(unix)]
    {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        // poll(2) reports POLLERR on a pipe whose reader has gone, whatever events were
        // asked for; a blocking wait on a thread of its own, which ends with the process.
        let watcher = std::thread::Builder::new()
            .name("stdout-reader".into())
            .spawn(move || {
                use rustix::event::{poll, PollFd, PollFlags};
                let stdout = io::stdout();
                loop {
                    let mut fds = [PollFd::new(&stdout, PollFlags::empty())];
                    match poll(&mut fds, None) {
                        Ok(_) if fds[0].revents().contains(PollFlags::ERR) => {
                            let _ = sender.send(());
                            return;
                        }
                        // A terminal hung up or a descriptor poll cannot watch: never.
                        Ok(_) if !fds[0].revents().is_empty() => return,
                        Ok(_) | Err(rustix::io::Errno::INTR) => continue,
                        Err(_) => return,
                    }
                }
            });
        if watcher.is_ok() && receiver.await.is_ok() {
            return;
        }
    }
    std::future::pending::<()>().await
}

/// Writes one line to standard error; a closed or failing standard error is ignored (there
/// is nowhere left to say so).
pub fn warn(line: &str) {
    let _ = writeln!(io::stderr(), "{line}");
}

/// The longest table cell, in characters: an error's cell holds the provider, the kind, the
/// HTTP status and the vendor's words, kept whole up to `wa_unified::VENDOR_WORDS_CHARS`.
pub const MAX_TEXT: usize = 160 + wa_unified::VENDOR_WORDS_CHARS;

/// The longest error line, in characters.
pub const MAX_LINE: usize = 1000;

/// `text` safe to show on one line: control characters, the line and paragraph separators
/// (U+2028, U+2029) and the bidirectional overrides that reorder a line on screen (U+202A
/// to U+202E, U+2066 to U+2069) escaped, and cut to `max` characters with `…`.
pub fn one_line(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count == max {
            out.push('…');
            break;
        }
        if forges_lines(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c`, printed raw, could start a line or reorder one on screen.
fn forges_lines(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` cut to at most `max` bytes, at a character boundary, ending in `…` when cut.
pub fn cut_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let ellipsis = '…';
    let mut end = max.saturating_sub(ellipsis.len_utf8());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ellipsis}", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_escapes_forged_lines_and_reordering_and_cuts_long_text() {
        assert_eq!(one_line("a\r\nb\u{202e}c", 100), "a\\r\\nb\\u{202e}c");
        assert_eq!(one_line(&"x".repeat(70_000), 5), "xxxxx…");
        assert_eq!(one_line("fine", 4), "fine");
        assert_eq!(
            one_line("a\u{2028}b\u{2029}c\u{2066}d", 100),
            "a\\u{2028}b\\u{2029}c\\u{2066}d"
        );
    }

    #[test]
    fn cut_bytes_keeps_whole_characters() {
        assert_eq!(cut_bytes("short", 5), "short");
        assert_eq!(cut_bytes("abcdefgh", 6), "abc…");
        // é is two bytes: a cut inside it moves back before it.
        assert_eq!(cut_bytes("ééééé", 7), "éé…");
        assert_eq!(cut_bytes("ééééé", 7).len(), 7);
    }
}
