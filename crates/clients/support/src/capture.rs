//! Keeping what a vendor said in an error answer.
//!
//! A generated client decodes an error body into its documented type, or drops it when
//! none is documented, and loses the HTTP status when the body is not the documented shape
//! (an HTML page, plain text). A monitoring tool must still say "HTTP 401: Invalid token"
//! rather than "undecodable". Inside [`capture_error_answers`], the shared `exec` path
//! keeps a copy of every non-2xx answer (status, headers, body within the size cap) for
//! the caller; outside it, nothing is kept and nothing changes.

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;
use reqwest::header::HeaderMap;

tokio::task_local! {
    static CAPTURED: RefCell<Option<ErrorAnswer>>;
}

/// A non-2xx answer as received.
#[derive(Clone, Debug)]
pub struct ErrorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The answer's headers.
    pub headers: HeaderMap,
    /// The body, within the client's size cap (empty when it was larger).
    pub body: Bytes,
}

/// Runs `call` and returns its output with the last error answer it received, if any.
pub async fn capture_error_answers<F: Future>(call: F) -> (F::Output, Option<ErrorAnswer>) {
    CAPTURED
        .scope(RefCell::new(None), async {
            let output = call.await;
            let answer = CAPTURED.with(|cell| cell.borrow_mut().take());
            (output, answer)
        })
        .await
}

/// Whether a caller asked for error answers.
pub(crate) fn is_active() -> bool {
    CAPTURED.try_with(|_| ()).is_ok()
}

pub(crate) fn keep(answer: ErrorAnswer) {
    let _ = CAPTURED.try_with(|cell| *cell.borrow_mut() = Some(answer));
}
