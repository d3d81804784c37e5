//! The file of an upload row's request, read from its multipart/form-data body with `multer` (what axum's own
//! multipart extractor is built on) before the pipeline runs: its form name, file name, content type, bytes
//! and their sha256, by which tests name an image (blocklists, OCR seeds, stored media).

use bytes::Bytes;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug)]
pub struct Uploaded {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
    /// Lower-case hex sha256 of `bytes`.
    pub sha256: String,
}

/// What an upload row's body held.
#[derive(Debug)]
pub enum Form {
    /// Not multipart/form-data (an empty body, JSON, anything else).
    Absent,
    /// Labelled multipart but unreadable: WeChat answers it as a format error.
    Broken(String),
    Parts(Vec<Uploaded>),
}

impl Form {
    /// The part named `field`, if the body had one.
    pub fn part(&self, field: &str) -> Option<&Uploaded> {
        match self {
            Form::Parts(parts) => parts.iter().find(|p| p.name == field),
            _ => None,
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Reads every part of a multipart body whose `Content-Type` header is `content_type`.
pub async fn read_form(content_type: Option<&str>, body: Bytes) -> Form {
    let Some(boundary) = content_type.and_then(|t| multer::parse_boundary(t).ok()) else {
        return Form::Absent;
    };
    let stream = futures::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut parts = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let filename = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(ToString::to_string);
                match field.bytes().await {
                    Ok(bytes) => parts.push(Uploaded { sha256: sha256_hex(&bytes), name, filename, content_type, bytes }),
                    Err(e) => return Form::Broken(e.to_string()),
                }
            }
            Ok(None) => return Form::Parts(parts),
            Err(e) => return Form::Broken(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parts_keep_every_byte() {
        let bytes: Vec<u8> = (0..=255u8).chain([b'\r', b'\n', b'-', b'-']).collect();
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        let form = read_form(Some("multipart/form-data; boundary=XyZ"), Bytes::from(body)).await;
        let part = form.part("media").expect("the media part");
        assert_eq!((&part.bytes[..], part.filename.as_deref(), part.content_type.as_deref()), (&bytes[..], Some("a.png"), Some("image/png")));
        assert_eq!(part.sha256, sha256_hex(&bytes));
        assert!(matches!(read_form(Some("application/json"), Bytes::from_static(b"{}")).await, Form::Absent));
        assert!(matches!(read_form(Some("multipart/form-data; boundary=XyZ"), Bytes::from_static(b"--XyZ\r\nbroken")).await, Form::Broken(_)));
    }
}
