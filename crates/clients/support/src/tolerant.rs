//! A property the provider's mapping does not read, decoded so that no value it holds can
//! make the whole answer unreadable.
//!
//! Real servers send `null`, `{}`, `[]` or a value of another type in fields their documents
//! describe otherwise (a self-hosted server answers `"config": null` for every session
//! started without a configuration). `cargo xtask codegen` gives every property the mapping does not read the
//! type `Option<Tolerant<T>>`, where `T` is the type the document describes: absent and
//! `null` are `None`, a value that fits is [`Tolerant::Typed`], and any other value is kept
//! as it came in [`Tolerant::Other`]. The fields the mapping reads keep the document's type,
//! so a malformed one is still a decoding error.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A value of the type the document describes, or whatever else the server sent.
///
/// ```
/// use wa_client_support::Tolerant;
///
/// let typed: Tolerant<u32> = serde_json::from_str("7").unwrap();
/// assert_eq!(typed.typed(), Some(&7));
/// let other: Tolerant<u32> = serde_json::from_str(r#"{"a":1}"#).unwrap();
/// assert_eq!(other.typed(), None);
/// assert_eq!(serde_json::to_string(&other).unwrap(), r#"{"a":1}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Tolerant<T> {
    /// The value, as the document describes it.
    Typed(T),
    /// A value of another shape, kept as the server sent it.
    Other(Value),
}

impl<T> Tolerant<T> {
    /// The value, when it has the document's type.
    pub fn typed(&self) -> Option<&T> {
        match self {
            Tolerant::Typed(value) => Some(value),
            Tolerant::Other(_) => None,
        }
    }

    /// The value, when it has the document's type.
    pub fn into_typed(self) -> Option<T> {
        match self {
            Tolerant::Typed(value) => Some(value),
            Tolerant::Other(_) => None,
        }
    }
}

impl<T> From<T> for Tolerant<T> {
    fn from(value: T) -> Self {
        Tolerant::Typed(value)
    }
}

impl From<&str> for Tolerant<String> {
    fn from(value: &str) -> Self {
        Tolerant::Typed(value.to_owned())
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Tolerant<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Any JSON value reads; only then is it tried as `T`, so that a value of another
        // shape is kept instead of failing the answer around it.
        let value = Value::deserialize(deserializer)?;
        Ok(match T::deserialize(&value) {
            Ok(typed) => Tolerant::Typed(typed),
            Err(_) => Tolerant::Other(value),
        })
    }
}

impl<T: Serialize> Serialize for Tolerant<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tolerant::Typed(value) => value.serialize(serializer),
            Tolerant::Other(value) => value.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Session {
        status: String,
        #[serde(default)]
        config: Option<Tolerant<BTreeMap<String, Value>>>,
    }

    #[test]
    fn any_value_of_an_unread_field_leaves_the_answer_readable() {
        let read = |body: &str| serde_json::from_str::<Session>(body).unwrap();
        assert_eq!(read(r#"{"status":"STOPPED"}"#).config, None);
        assert_eq!(read(r#"{"status":"STOPPED","config":null}"#).config, None);
        assert_eq!(
            read(r#"{"status":"STOPPED","config":{"a":1}}"#).config,
            Some(Tolerant::Typed(BTreeMap::from([("a".into(), 1.into())])))
        );
        for other in ["[]", "5", "\"x\"", "true", "[{}]"] {
            let body = format!(r#"{{"status":"STOPPED","config":{other}}}"#);
            let session = read(&body);
            assert_eq!(session.status, "STOPPED");
            assert_eq!(
                session.config,
                Some(Tolerant::Other(serde_json::from_str(other).unwrap())),
                "{other}"
            );
        }
    }

    #[test]
    fn a_read_field_stays_strict() {
        assert!(serde_json::from_str::<Session>(r#"{"status":5}"#).is_err());
    }
}
