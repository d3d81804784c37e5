//! File uploads (`"upload"` in a table row): which request field is the file, how large WeChat lets it be,
//! and the mark that stands for its bytes in the JSON the facade sends (the bytes cross the boundary apart).
//!
//! A file field is given as wx-server-sdk takes it: `{ contentType, value: Buffer }` (an optional `filename`;
//! wx-server-sdk's `header` is accepted and ignored). Its other fields travel in the query string, as WeChat's
//! pages for these rows say (`type`, `img_url`).

use serde::Deserialize;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct Upload {
    /// The request field that is the file, and the form-data name it is sent under (`media`, `img`).
    pub field: String,
    /// WeChat's documented size limit for the file, in bytes.
    pub max_bytes: u64,
    /// The limit as WeChat's page states it (`1 MB`, `less than 2 MB`), for messages.
    pub limit: String,
    /// A request field that may stand in for the file (`img_url`): one of the two is required.
    pub alternative: Option<String>,
    /// The kinds of image WeChat's page accepts (`png`, `jpeg`, `gif`, `bmp`); empty: not documented.
    pub kinds: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawUpload {
    field: String,
    max_bytes: u64,
    limit: String,
    #[serde(default)]
    alternative: Option<String>,
    #[serde(default)]
    kinds: Vec<String>,
}

impl RawUpload {
    pub(super) fn into_upload(self, row: &str, request: &[super::Field]) -> Result<Upload, String> {
        let file = request.iter().find(|f| f.path == self.field);
        if file.is_none_or(|f| f.ty != super::FieldType::File) {
            return Err(format!("endpoint table: {row}: upload.field {} must be a request field of type file", self.field));
        }
        if let Some(alt) = &self.alternative {
            if !request.iter().any(|f| &f.path == alt && !f.required) || file.is_some_and(|f| f.required) {
                return Err(format!("endpoint table: {row}: upload.alternative {alt} must be an optional request field, and the file optional too"));
            }
        }
        if self.max_bytes == 0 {
            return Err(format!("endpoint table: {row}: upload.maxBytes must be positive"));
        }
        Ok(Upload { field: self.field, max_bytes: self.max_bytes, limit: self.limit, alternative: self.alternative, kinds: self.kinds })
    }
}

/// What the facade writes in place of a file's bytes: the process's unforgeable mark (see `bigint`) and `file`.
/// A caller's string can never be it, so a file field is always a real Buffer the facade took out.
pub fn placeholder() -> String {
    format!("{}file", crate::bigint::marker())
}

/// Whether a value is the placeholder.
pub fn is_placeholder(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.strip_prefix(crate::bigint::marker()) == Some("file"))
}

/// Why a file field's value is not `{ contentType, value: Buffer }`, naming it as `shown` (and its parts in
/// the caller's case: `contentType`, or `content_type` without case conversion).
pub fn file_problem(shown: &str, value: &Value, camel_names: bool) -> Option<String> {
    let content_type_key = if camel_names { "contentType" } else { "content_type" };
    let Some(obj) = value.as_object() else {
        return Some(format!("{shown} must be an object {{ {content_type_key}, value: Buffer }}, got {}", super::field::kind_of(value)));
    };
    match obj.get("value") {
        Some(v) if is_placeholder(v) => {}
        None => return Some(format!("{shown}.value is required: the file's bytes as a Buffer")),
        Some(v) => return Some(format!("{shown}.value must be a Buffer or Uint8Array, got {}", super::field::kind_of(v))),
    }
    match obj.get("content_type") {
        None => Some(format!("{shown}.{content_type_key} is required: the file's MIME type, like image/png")),
        Some(Value::String(t)) if !is_mime(t) => Some(format!("{shown}.{content_type_key} must be a MIME type like image/png, got {t:?}")),
        Some(Value::String(_)) => match obj.get("filename") {
            Some(Value::String(name)) if name.is_empty() || name.chars().any(|c| c.is_control() || c == '"') => {
                Some(format!("{shown}.filename must be a plain file name, got {name:?}"))
            }
            Some(Value::String(_)) | None => None,
            Some(other) => Some(format!("{shown}.filename must be a string, got {}", super::field::kind_of(other))),
        },
        Some(other) => Some(format!("{shown}.{content_type_key} must be a string, got {}", super::field::kind_of(other))),
    }
}

/// `type/subtype` in token characters, parameters allowed (`image/png`, `image/jpeg; q=1`).
fn is_mime(text: &str) -> bool {
    let essence = text.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    text.is_ascii() && !text.chars().any(|c| c.is_control()) && essence.split_once('/').is_some_and(|(a, b)| token(a) && token(b))
}

/// The kind of image `bytes` hold, by their signature: `png`, `jpeg`, `gif`, `bmp`, or None.
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.starts_with(b"BM") && bytes.len() > 26 {
        Some("bmp")
    } else {
        None
    }
}

/// The content types of the files WeChat's upload pages take, and the extension each is written with; the
/// first extension of a type is the one a file name is given. Both directions read this one list.
const KINDS: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("bmp", "image/bmp"),
    ("webp", "image/webp"),
    ("mp3", "audio/mpeg"),
    ("amr", "audio/amr"),
    ("mp4", "video/mp4"),
];

/// A file name for a content type when the caller gave none (WeChat reads the form part's filename).
pub fn default_filename(field: &str, content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let essence = match essence.as_str() {
        "image/jpg" | "image/pjpeg" => "image/jpeg",
        "audio/mp3" => "audio/mpeg",
        other => other,
    };
    let ext = KINDS.iter().find(|(_, mime)| *mime == essence).map_or("bin", |(ext, _)| ext);
    format!("{field}.{ext}")
}

/// The content type a file name's extension says (`a.JPG` → `image/jpeg`), for a file read from disk (the
/// CLI's `--file`); None for an extension WeChat's upload pages do not take.
pub fn content_type_of(filename: &str) -> Option<&'static str> {
    let (_, ext) = filename.rsplit_once('.')?;
    KINDS.iter().find(|(known, _)| known.eq_ignore_ascii_case(ext)).map(|(_, mime)| *mime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_values_are_checked_part_by_part() {
        let ok = json!({"content_type": "image/png", "value": placeholder()});
        assert_eq!(file_problem("media", &ok, true), None);
        let cases = [
            (json!("x"), "media must be an object { contentType, value: Buffer }, got string"),
            (json!({"content_type": "image/png"}), "media.value is required: the file's bytes as a Buffer"),
            (json!({"content_type": "image/png", "value": "\u{0}wxbig:0:file"}), "media.value must be a Buffer or Uint8Array, got string"),
            (json!({"content_type": "image/png", "value": {"type": "Buffer", "data": [1]}}), "media.value must be a Buffer or Uint8Array, got object"),
            (json!({"value": placeholder()}), "media.contentType is required: the file's MIME type, like image/png"),
            (json!({"content_type": "png", "value": placeholder()}), "media.contentType must be a MIME type like image/png, got \"png\""),
            (json!({"content_type": "image/png\r\nX: y", "value": placeholder()}), "media.contentType must be a MIME type like image/png"),
            (json!({"content_type": 1, "value": placeholder()}), "media.contentType must be a string, got number"),
            (json!({"content_type": "image/png", "value": placeholder(), "filename": "a\"b"}), "media.filename must be a plain file name"),
        ];
        for (value, want) in cases {
            let got = file_problem("media", &value, true).unwrap_or_default();
            assert!(got.starts_with(want), "{value}: {got}");
        }
        assert_eq!(file_problem("img", &json!({"value": placeholder()}), false).unwrap(), "img.content_type is required: the file's MIME type, like image/png");
    }

    #[test]
    fn image_kinds_by_signature() {
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(image_kind(&[0xff, 0xd8, 0xff, 0xe0]), Some("jpeg"));
        assert_eq!(image_kind(b"GIF89a.."), Some("gif"));
        assert_eq!(image_kind(b"hello"), None);
        assert_eq!(default_filename("media", "image/jpeg"), "media.jpg");
        assert_eq!(default_filename("img", "application/x-thing"), "img.bin");
        assert_eq!(default_filename("media", "image/pjpeg"), "media.jpg");
        assert_eq!(default_filename("voice", "audio/amr"), "voice.amr");
    }

    #[test]
    fn a_file_names_extension_says_its_content_type() {
        assert_eq!(content_type_of("./photos/a.JPG"), Some("image/jpeg"));
        assert_eq!(content_type_of("a.tar.png"), Some("image/png"));
        assert_eq!(content_type_of("clip.mp4"), Some("video/mp4"));
        assert_eq!(content_type_of("notes.txt"), None);
        assert_eq!(content_type_of("README"), None);
    }
}
