//! The checks before I/O of an upload row (`"upload"` in the table): the file field, already checked to be
//! `{ contentType, value: <the facade's placeholder> }`, is taken out of the parameters (which then travel in
//! the query string) and joined with the bytes that crossed the boundary apart; WeChat's size limit is
//! checked here, so an oversized file never leaves. A raw request's file (`openapi.request({ file })`) is
//! described by its caller instead of a row, and checked the same way.

use crate::error::Error;
use crate::form::FilePart;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::sync::Arc;
use wechat_protocol::case::camel_key;
use wechat_protocol::catalogue::upload::{default_filename, file_problem, is_placeholder};
use wechat_protocol::catalogue::{kind_of, Endpoint};

/// The file of an upload row's call, or None when the row takes a URL instead and was given one. `params`
/// are the checked snake_case parameters; `bytes` what the facade sent apart (None: no file crossed).
pub(super) fn take_file(api: &str, endpoint: Option<&Endpoint>, params: &mut Value, bytes: Option<Bytes>, camel_names: bool) -> Result<Option<Arc<FilePart>>, Error> {
    let Some(upload) = endpoint.and_then(|e| e.upload.as_ref()) else {
        return match bytes {
            Some(_) => Err(Error::invalid_argument(api, "this API takes no file")),
            None => Ok(None),
        };
    };
    let shown = if camel_names { camel_key(&upload.field) } else { upload.field.clone() };
    let field = params.as_object_mut().and_then(|map| map.remove(&upload.field));
    let Some(Value::Object(file)) = field.filter(|v| !v.is_null()) else {
        // No file (the table's checks made sure the alternative, a URL, was given instead).
        return Ok(None);
    };
    let Some(bytes) = bytes.filter(|_| file.get("value").is_some_and(is_placeholder)) else {
        return Err(Error::invalid_argument(api, format!("{shown}.value must be a Buffer or Uint8Array")));
    };
    if bytes.is_empty() {
        return Err(Error::invalid_argument(api, format!("{shown}.value is empty: WeChat needs the file's bytes")));
    }
    if bytes.len() as u64 > upload.max_bytes {
        return Err(Error::invalid_argument(
            api,
            format!("{shown}.value is {} bytes: WeChat's limit for openapi.{api} is {} ({} bytes at most)", bytes.len(), upload.limit, upload.max_bytes),
        ));
    }
    Ok(Some(file_part(upload.field.clone(), &file, bytes)))
}

/// The part a checked file description (`content_type`, an optional `filename`) and its bytes make.
fn file_part(name: String, file: &Map<String, Value>, bytes: Bytes) -> Arc<FilePart> {
    let content_type = file.get("content_type").and_then(Value::as_str).unwrap_or_default().to_owned();
    let filename = match file.get("filename").and_then(Value::as_str) {
        Some(filename) => filename.to_owned(),
        None => default_filename(&name, &content_type),
    };
    Arc::new(FilePart { name, filename, content_type, bytes })
}

/// The file of `openapi.request({ ..., file })`, where no table row names the field: the caller describes it,
/// `{ field, content_type, value: <the facade's placeholder>, filename? }`, and it is checked part by part as a
/// row's file is (`file.value must be a Buffer…`). No size limit: WeChat's differs per path and it answers one.
pub(super) fn described_file(api: &str, described: &Value, bytes: Option<Bytes>, camel_names: bool) -> Result<Arc<FilePart>, Error> {
    let refuse = |m: String| Error::invalid_argument(api, m);
    let content_type_key = if camel_names { "contentType" } else { "content_type" };
    let Some(file) = described.as_object() else {
        return Err(refuse(format!("file must be an object {{ field, {content_type_key}, value: Buffer }}")));
    };
    let name = match file.get("field") {
        None | Some(Value::Null) => return Err(refuse("file.field is required: the form-data name WeChat reads the file from, like media".into())),
        Some(Value::String(name)) if is_form_name(name) => name.clone(),
        Some(Value::String(name)) => return Err(refuse(format!("file.field must be a form-data name like media, got {name:?}"))),
        Some(other) => return Err(refuse(format!("file.field must be a string, got {}", kind_of(other)))),
    };
    if let Some(problem) = file_problem("file", described, camel_names) {
        return Err(refuse(problem));
    }
    let Some(bytes) = bytes else {
        return Err(refuse("file.value must be a Buffer or Uint8Array".into()));
    };
    if bytes.is_empty() {
        return Err(refuse("file.value is empty: WeChat needs the file's bytes".into()));
    }
    Ok(file_part(name, file, bytes))
}

/// With a file, a raw request's `data` travels in the query string (the body is the file): each field must
/// be one a query can hold.
pub(super) fn query_data(api: &str, data: &Value) -> Result<(), Error> {
    let fields = data.as_object().into_iter().flatten();
    match fields.into_iter().find(|(_, v)| !(v.is_string() || v.is_number() || v.is_boolean())) {
        Some((key, v)) => Err(Error::invalid_argument(
            api,
            format!("data.{key} must be a string, number or boolean, got {}: with a file, data goes in the query string", kind_of(v)),
        )),
        None => Ok(()),
    }
}

/// A form-data field name that needs no quoting: it goes into the part's Content-Disposition header as it is.
fn is_form_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.[]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use wechat_protocol::catalogue::catalogue;
    use wechat_protocol::catalogue::upload::placeholder;

    fn take(api: &str, mut params: Value, bytes: Option<&[u8]>) -> Result<(Option<Arc<FilePart>>, Value), String> {
        let endpoint = catalogue().get(api);
        let file = take_file(api, endpoint, &mut params, bytes.map(Bytes::copy_from_slice), true).map_err(|e| e.to_string())?;
        Ok((file, params))
    }

    #[test]
    fn the_file_leaves_the_params_and_joins_its_bytes() {
        let params = json!({"type": "image", "media": {"content_type": "image/png", "value": placeholder()}});
        let (file, rest) = take("customerServiceMessage.uploadTempMedia", params, Some(&[0, 1, 255])).unwrap();
        let file = file.unwrap();
        assert_eq!((file.name.as_str(), file.filename.as_str(), &file.bytes[..]), ("media", "media.png", &[0u8, 1, 255][..]));
        assert_eq!(rest, json!({"type": "image"}));
    }

    #[test]
    fn size_limits_are_checked_before_io() {
        let params = json!({"media": {"content_type": "image/png", "value": placeholder()}});
        let big = vec![7u8; 1024 * 1024 + 1];
        let e = take("security.imgSecCheck", params.clone(), Some(&big)).unwrap_err();
        assert!(e.contains("media.value is 1048577 bytes: WeChat's limit for openapi.security.imgSecCheck is at most 1 MB (1048576 bytes at most)"), "{e}");
        assert!(take("security.imgSecCheck", params.clone(), Some(&big[1..])).is_ok());
        let e = take("security.imgSecCheck", params, Some(&[])).unwrap_err();
        assert!(e.contains("media.value is empty"), "{e}");
        let ocr = json!({"img": {"content_type": "image/jpeg", "value": placeholder()}});
        let e = take("ocr.printedText", ocr, Some(&vec![1u8; 2 * 1024 * 1024])).unwrap_err();
        assert!(e.contains("is less than 2 MB (2097151 bytes at most)"), "{e}");
    }

    #[test]
    fn a_url_instead_of_a_file_and_files_where_none_belong() {
        let (file, rest) = take("ocr.printedText", json!({"img_url": "https://x/a.png"}), None).unwrap();
        assert!(file.is_none());
        assert_eq!(rest, json!({"img_url": "https://x/a.png"}));
        let e = take("security.msgSecCheck", json!({}), Some(&[1])).unwrap_err();
        assert!(e.contains("takes no file"), "{e}");
        let e = take("security.imgSecCheck", json!({"media": {"content_type": "image/png", "value": placeholder()}}), None).unwrap_err();
        assert!(e.contains("media.value must be a Buffer"), "{e}");
    }

    fn describe(file: Value, bytes: Option<&[u8]>) -> Result<Arc<FilePart>, String> {
        described_file("request", &file, bytes.map(Bytes::copy_from_slice), true).map_err(|e| e.to_string())
    }

    #[test]
    fn a_described_file_becomes_the_part_it_names() {
        let file = json!({"field": "media", "content_type": "image/png", "value": placeholder()});
        let part = describe(file, Some(&[1, 2, 3])).unwrap();
        assert_eq!((part.name.as_str(), part.filename.as_str(), part.content_type.as_str(), &part.bytes[..]), ("media", "media.png", "image/png", &[1u8, 2, 3][..]));
        let named = json!({"field": "img", "content_type": "image/jpeg", "value": placeholder(), "filename": "scan.jpg"});
        assert_eq!(describe(named, Some(&[1])).unwrap().filename, "scan.jpg");
    }

    #[test]
    fn a_described_file_is_refused_by_the_part_that_is_wrong() {
        let png = |extra: Value| {
            let mut file = json!({"field": "media", "content_type": "image/png", "value": placeholder()});
            file.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            file
        };
        let cases = [
            (json!("media"), Some(&[1u8][..]), "file must be an object { field, contentType, value: Buffer }"),
            (json!({"content_type": "image/png", "value": placeholder()}), Some(&[1u8][..]), "file.field is required"),
            (png(json!({"field": 7})), Some(&[1u8][..]), "file.field must be a string, got number"),
            (png(json!({"field": "me\"dia"})), Some(&[1u8][..]), "file.field must be a form-data name like media, got \"me\\\"dia\""),
            (png(json!({"field": ""})), Some(&[1u8][..]), "file.field must be a form-data name"),
            (png(json!({"value": "aGVsbG8="})), None, "file.value must be a Buffer or Uint8Array, got string"),
            (png(json!({"content_type": "png"})), Some(&[1u8][..]), "file.contentType must be a MIME type like image/png"),
            (png(json!({"filename": "a\r\nb"})), Some(&[1u8][..]), "file.filename must be a plain file name"),
            (png(json!({})), None, "file.value must be a Buffer or Uint8Array"),
            (png(json!({})), Some(&[][..]), "file.value is empty"),
        ];
        for (file, bytes, want) in cases {
            let e = describe(file.clone(), bytes).unwrap_err();
            assert!(e.contains(want), "{file}: {e}");
        }
    }

    #[test]
    fn with_a_file_data_must_fit_in_a_query() {
        assert!(query_data("request", &json!({"type": "image", "n": 1, "on": true})).is_ok());
        let e = query_data("request", &json!({"type": "image", "description": {"title": "t"}})).unwrap_err().to_string();
        assert!(e.contains("data.description must be a string, number or boolean, got object: with a file, data goes in the query string"), "{e}");
    }
}
