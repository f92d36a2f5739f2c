//! `page_resource`: a page's data, loaded by a server function, rendered on the server and handed
//! to the browser in the HTML.
//!
//! It is Leptos's `Resource` with one change: the browser decodes the handed-over JSON from bytes
//! (`serde_json::from_slice`), as server functions decode their answers, instead of from a `&str`
//! as Leptos's default codec does. serde_json compiles a separate decoder per data type for each
//! of the two inputs, so the default carried every page type's decoder twice in the wasm.

use leptos::prelude::*;
use leptos::server::codee::{Decoder, Encoder};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON like Leptos's `JsonSerdeCodec`, decoded from bytes.
pub struct JsonBytesCodec;

impl<T: Serialize> Encoder<T> for JsonBytesCodec {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytesCodec {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(json.as_bytes())
    }
}

/// A page's resource (see the module documentation).
pub type PageResource<T> = Resource<T, JsonBytesCodec>;

/// Like `Resource::new`: `fetcher` runs whenever `source` changes.
#[track_caller]
pub fn page_resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageResource<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_it_encodes() {
        let value: Result<Vec<(String, u64)>, crate::error::AppError> = Ok(vec![("é \"q\"".into(), 7)]);
        let json = <JsonBytesCodec as Encoder<_>>::encode(&value).unwrap();
        let back: Result<Vec<(String, u64)>, crate::error::AppError> =
            <JsonBytesCodec as Decoder<_>>::decode(&json).unwrap();
        assert_eq!(back, value);
        assert!(<JsonBytesCodec as Decoder<Vec<u64>>>::decode("[1,").is_err());
    }
}
