//! When a long-running command (`watch`, `exporter`) must stop: on SIGINT (Ctrl-C) or
//! SIGTERM (a service manager), at any moment, a check under way included; and when it
//! must read its fleet file again: on SIGHUP.

/// Completes when the process is asked to stop.
pub async fn requested() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Requests to read the fleet file again: SIGHUP, the convention of daemons (and of
/// Prometheus itself). Without this, SIGHUP's default action would kill the process.
pub struct Reloads {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Reloads {
    /// Starts listening for SIGHUP; from then on it no longer ends the process.
    pub fn new() -> Reloads {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Reloads {
                signal: signal(SignalKind::hangup()).ok(),
            }
        }
        #[cfg(not(unix))]
        Reloads {}
    }

    /// Completes at the next request.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        if let Some(signal) = &mut self.signal {
            if signal.recv().await.is_some() {
                return;
            }
        }
        std::future::pending::<()>().await
    }
}
