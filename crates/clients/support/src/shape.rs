//! The one check of a success body that serde cannot make: an array where the document
//! declares an object.
//!
//! serde reads a JSON array as a struct, field by field in order: `[]` becomes a struct
//! whose fields are all optional, and `[{...}]` a struct whose first field is that object.
//! PHP servers send `[]` for an empty object, and a proxy may answer a list. Where the
//! mapping reads through such an object the reading would be false (`{"instance":[]}`
//! would read as an instance with no state, where a state is read under `instance`), so
//! the client refuses the answer instead. Which places are objects comes from the document: `cargo
//! xtask codegen` writes them into each client (`manifest::OBJECTS`).

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::{Bytes, BytesMut};
use serde_json::Value;

/// A success body that holds an array where its document declares an object the mapping
/// reads. It is the source of the body error a client returns for such an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrayForObject {
    /// Where the array is, as a JSON Pointer (`""` is the whole body).
    pub pointer: String,
    /// The body as it came.
    pub body: Bytes,
}

impl fmt::Display for ArrayForObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pointer.as_str() {
            "" => write!(
                f,
                "the body is an array, where the document declares an object"
            ),
            at => write!(
                f,
                "`{at}` is an array, where the document declares an object"
            ),
        }
    }
}

impl StdError for ArrayForObject {}

/// Checks `body` against `objects` (JSON Pointers, `*` for every item of an array or value
/// of an object): an array at any of them is an [`ArrayForObject`]. A body that is not
/// JSON passes, as decoding it fails on its own.
pub fn check_objects(body: &[u8], objects: &[&str]) -> Result<(), ArrayForObject> {
    let refused = |pointer: &str| ArrayForObject {
        pointer: pointer.to_owned(),
        body: Bytes::copy_from_slice(body),
    };
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match objects {
        [] => Ok(()),
        // The common case, the root alone, needs no parse.
        [""] => match first {
            Some(b'[') => Err(refused("")),
            _ => Ok(()),
        },
        // Without a `[` anywhere there is no array, and nothing to parse: most status
        // bodies hold none.
        _ if !body.contains(&b'[') => Ok(()),
        _ => {
            let Ok(json) = serde_json::from_slice::<Value>(body) else {
                return Ok(());
            };
            match objects.iter().find(|pointer| holds_array(&json, pointer)) {
                Some(pointer) => Err(refused(pointer)),
                None => Ok(()),
            }
        }
    }
}

/// Whether `json` holds an array at `pointer` (at any of the places a `*` stands for).
fn holds_array(json: &Value, pointer: &str) -> bool {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    array_at(json, &segments)
}

fn array_at(json: &Value, segments: &[String]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return json.is_array();
    };
    match (first.as_str(), json) {
        ("*", Value::Array(items)) => items.iter().any(|item| array_at(item, rest)),
        ("*", Value::Object(map)) => map.values().any(|value| array_at(value, rest)),
        (key, Value::Object(map)) => map.get(key).is_some_and(|value| array_at(value, rest)),
        _ => false,
    }
}

type BoxError = Box<dyn StdError + Send + Sync>;

/// A success body passed through as it is read, and checked against the objects when it
/// ends: an [`ArrayForObject`] is its last frame's error.
pub(crate) struct ObjectsChecked {
    inner: reqwest::Body,
    objects: &'static [&'static str],
    seen: BytesMut,
    ended: bool,
}

impl ObjectsChecked {
    pub(crate) fn new(inner: reqwest::Body, objects: &'static [&'static str]) -> ObjectsChecked {
        ObjectsChecked {
            inner,
            objects,
            seen: BytesMut::new(),
            ended: false,
        }
    }
}

impl http_body::Body for ObjectsChecked {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.seen.extend_from_slice(data);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => {
                this.ended = true;
                match check_objects(&this.seen, this.objects) {
                    Ok(()) => Poll::Ready(None),
                    Err(refused) => Poll::Ready(Some(Err(Box::new(refused)))),
                }
            }
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The [`ArrayForObject`] behind an error, if there is one.
pub fn array_for_object<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a ArrayForObject> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<ArrayForObject>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_where_an_object_is_declared_is_refused_and_nothing_else() {
        let objects = ["", "/instance", "/entities/*"];
        let pointer = |body: &str| {
            check_objects(body.as_bytes(), &objects)
                .err()
                .map(|e| e.pointer)
        };
        assert_eq!(pointer(r#"{"instance":{"state":"open"}}"#), None);
        assert_eq!(pointer(r#"{"instance":null,"entities":[{}]}"#), None);
        assert_eq!(pointer(r#"[{"instance":{}}]"#), Some(String::new()));
        assert_eq!(pointer(r#"{"instance":[]}"#), Some("/instance".into()));
        assert_eq!(
            pointer(r#"{"entities":[{},[]]}"#),
            Some("/entities/*".into())
        );
        // Not JSON: decoding fails on its own.
        assert_eq!(pointer("<html>"), None);
        assert_eq!(
            check_objects(b" [1]", &[""]).unwrap_err().to_string(),
            "the body is an array, where the document declares an object"
        );
        assert_eq!(
            check_objects(br#"{"instance":[]}"#, &objects)
                .unwrap_err()
                .to_string(),
            "`/instance` is an array, where the document declares an object"
        );
    }
}
