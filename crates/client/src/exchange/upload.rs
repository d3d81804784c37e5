//! The checks before I/O of an upload row (`"upload"` in the table): the file field, already checked to be
//! `{ contentType, value: <the facade's placeholder> }`, is taken out of the parameters (which then travel in
//! the query string) and joined with the bytes that crossed the boundary apart; WeChat's size limit is
//! checked here, so an oversized file never leaves.

use crate::error::Error;
use crate::form::FilePart;
use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;
use wechat_protocol::case::camel_key;
use wechat_protocol::catalogue::upload::{default_filename, is_placeholder};
use wechat_protocol::catalogue::Endpoint;

/// The file of an upload row's call, or None when the row takes a URL instead and was given one. `params`
/// are the checked snake_case parameters; `bytes` what the facade sent apart (None: no file crossed).
pub fn take_file(api: &str, endpoint: Option<&Endpoint>, params: &mut Value, bytes: Option<Bytes>, camel_names: bool) -> Result<Option<Arc<FilePart>>, Error> {
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
    let content_type = file.get("content_type").and_then(Value::as_str).unwrap_or_default().to_owned();
    let filename = match file.get("filename").and_then(Value::as_str) {
        Some(name) => name.to_owned(),
        None => default_filename(&upload.field, &content_type),
    };
    Ok(Some(Arc::new(FilePart { name: upload.field.clone(), filename, content_type, bytes })))
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
}
