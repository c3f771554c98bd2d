use std::fmt;

/// A credential: a token, an API key, a token sent in the URL path.
///
/// Its `Debug` shows `Secret(***)` and it has no `Display`, so formatting a config or a
/// client that holds one cannot print it. Read it with [`Secret::expose`], only where it is
/// put on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the credential is empty, which no provider accepts.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A secret reads from a string (a fleet file, say); it has no `Serialize`, so it cannot be
/// written back out by accident.
/// A secret is read from a string only, and an error never quotes the value it got: serde's
/// usual "invalid type: integer `123456789`, expected a string" would print a token written
/// without quotes.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, SeqAccess, Visitor};

        struct SecretVisitor;

        impl SecretVisitor {
            fn refuse<E: Error>(what: &str) -> Result<Secret, E> {
                Err(E::custom(format!(
                    "a credential must be a string in quotes, not {what} (its value is not shown)"
                )))
            }
        }

        impl<'de> Visitor<'de> for SecretVisitor {
            type Value = Secret;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a credential, as a string")
            }

            fn visit_str<E: Error>(self, value: &str) -> Result<Secret, E> {
                Ok(Secret(value.to_owned()))
            }

            fn visit_string<E: Error>(self, value: String) -> Result<Secret, E> {
                Ok(Secret(value))
            }

            fn visit_bool<E: Error>(self, _: bool) -> Result<Secret, E> {
                Self::refuse("a boolean")
            }

            fn visit_i64<E: Error>(self, _: i64) -> Result<Secret, E> {
                Self::refuse("a number")
            }

            fn visit_u64<E: Error>(self, _: u64) -> Result<Secret, E> {
                Self::refuse("a number")
            }

            // A TOML integer of 20 to 39 digits comes as a 128-bit one.
            fn visit_i128<E: Error>(self, _: i128) -> Result<Secret, E> {
                Self::refuse("a number")
            }

            fn visit_u128<E: Error>(self, _: u128) -> Result<Secret, E> {
                Self::refuse("a number")
            }

            fn visit_none<E: Error>(self) -> Result<Secret, E> {
                Self::refuse("nothing")
            }

            fn visit_f64<E: Error>(self, _: f64) -> Result<Secret, E> {
                Self::refuse("a number")
            }

            fn visit_bytes<E: Error>(self, _: &[u8]) -> Result<Secret, E> {
                Self::refuse("bytes")
            }

            fn visit_unit<E: Error>(self) -> Result<Secret, E> {
                Self::refuse("nothing")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
                Self::refuse("a list")
            }

            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Secret, A::Error> {
                Self::refuse("a table")
            }
        }

        deserializer.deserialize_any(SecretVisitor)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_value() {
        let secret = Secret::new("234|3uB2pBST2H6If8tw");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(
            format!("{:#?}", Some(&secret)),
            "Some(\n    Secret(***),\n)"
        );
        assert_eq!(secret.expose(), "234|3uB2pBST2H6If8tw");
    }

    #[test]
    fn d7_a_number_of_any_width_is_refused_without_its_value() {
        use serde::de::value::{Error, I128Deserializer, I64Deserializer, U128Deserializer};
        use serde::Deserialize;
        let refused =
            "a credential must be a string in quotes, not a number (its value is not shown)";
        let wide = 123_456_789_012_345_678_901_234_567_i128;
        let errors = [
            Secret::deserialize(I64Deserializer::<Error>::new(987_654_321)).unwrap_err(),
            Secret::deserialize(I128Deserializer::<Error>::new(wide)).unwrap_err(),
            Secret::deserialize(U128Deserializer::<Error>::new(wide as u128)).unwrap_err(),
        ];
        for error in errors {
            assert_eq!(error.to_string(), refused);
        }
    }
}
