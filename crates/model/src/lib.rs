//! The common status model: one vocabulary for every WhatsApp gateway provider.
//!
//! The wire names (snake_case) are public interface: the CLI's JSON output and the
//! exporter's labels use them. A provider's client crate reads its vendor's answer into an
//! [`Observation`] in these words; `wa-unified` adds the provider, the instance and the time.
//!
//! ```
//! use wa_model::{ConnectionState, Observation, RequiredAction};
//!
//! let observation = Observation::new(ConnectionState::Restricted, "yellowCard");
//! assert_eq!(observation.required_action(), Some(RequiredAction::Restart));
//! assert_eq!("awaiting_pairing".parse(), Ok(ConnectionState::AwaitingPairing));
//! ```

#![warn(missing_docs)]

mod account;
mod error_kind;
mod health;
mod observation;
mod state;

pub use account::Account;
pub use error_kind::ErrorKind;
pub use health::HealthEntity;
pub use observation::{Observation, Reading, Unreadable};
pub use state::{ConnectionState, RequiredAction, UnknownName};
