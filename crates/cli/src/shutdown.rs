//! When a long-running command (`watch`, `exporter`) must stop: on SIGINT (Ctrl-C) or
//! SIGTERM (a service manager), at any moment, a check under way included.

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
