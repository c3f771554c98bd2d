//! Where each credential of a provider goes on the wire, as its manifest declares it: a
//! header (with an optional prefix such as `Bearer `), a path or query parameter of the
//! status call, or one half of HTTP Basic. `cargo xtask codegen` writes every client's list
//! into its `manifest` module; [`Context`](crate::Context) applies it.

/// The place of one credential in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// A header, its value the credential after `prefix` (`Authorization: Bearer <token>`);
    /// always marked sensitive.
    Header {
        /// The header's name.
        name: &'static str,
        /// Written before the credential (empty for none).
        prefix: &'static str,
    },
    /// A path parameter of the status call: the URL then holds a secret.
    Path {
        /// The parameter's name in the normalized document.
        parameter: &'static str,
    },
    /// A query parameter of the status call: the URL then holds a secret.
    Query {
        /// The parameter's name in the normalized document.
        parameter: &'static str,
    },
    /// One half of `Authorization: Basic base64(user:password)`.
    Basic(BasicPart),
}

/// Which half of HTTP Basic a credential is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasicPart {
    /// The user name (an account id, say).
    User,
    /// The password.
    Password,
}

/// One credential a provider takes: its key in [`Credentials`](crate::Credentials), how
/// errors name it, and where it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialPlacement {
    /// Its key (`token`, `client_token`, ...).
    pub key: &'static str,
    /// What the vendor calls it, for messages (`apiTokenInstance`).
    pub noun: &'static str,
    /// Where it goes.
    pub placement: Placement,
}

impl Placement {
    /// Whether a request's URL holds the credential.
    pub fn in_url(self) -> bool {
        matches!(self, Placement::Path { .. } | Placement::Query { .. })
    }
}
