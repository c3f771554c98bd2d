//! The credentials of one instance, in the shapes the auth styles take.

use std::fmt;

use crate::Secret;

/// The credentials an instance is reached with. Which header or path segment each one
/// goes to is the provider's auth style; its `Debug` shows none of them.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// None: a self-hosted server that runs without a key.
    None,
    /// One credential: a bearer token, an API key, or a token sent in the path.
    Token(Secret),
    /// Two credentials sent as a pair of headers.
    Pair(Secret, Secret),
}

impl Credentials {
    /// Every secret, for masking them wherever text from outside is shown.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            Credentials::None => Vec::new(),
            Credentials::Token(token) => vec![token.expose()],
            Credentials::Pair(first, second) => vec![first.expose(), second.expose()],
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Token(_) => f.write_str("Token(***)"),
            Credentials::Pair(..) => f.write_str("Pair(***, ***)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_every_secret_and_secrets_lists_them() {
        let pair = Credentials::Pair(Secret::new("a-1"), Secret::new("b-2"));
        assert_eq!(format!("{pair:?}"), "Pair(***, ***)");
        assert_eq!(pair.secrets(), ["a-1", "b-2"]);
        assert_eq!(Credentials::None.secrets(), Vec::<&str>::new());
    }
}
