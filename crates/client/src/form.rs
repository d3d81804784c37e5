//! A file upload's body: one file, kept as shared bytes so that every attempt (a retry, another host after a
//! refused connection) builds its multipart/form-data body afresh from the same part. Building one copies
//! no bytes: the part streams the shared buffer with its length known, so the body has a Content-Length.

use bytes::Bytes;
use reqwest::multipart::{Form, Part};

/// The file of an upload row, as WeChat reads it: the form field, its file name and content type, the bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct FilePart {
    /// The form-data name (`media`, `img`): the row's file field.
    pub name: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Bytes,
}

impl FilePart {
    /// A new multipart form holding this file; its content type was checked before any I/O.
    pub fn form(&self) -> Result<Form, String> {
        let len = self.bytes.len() as u64;
        let part = Part::stream_with_length(reqwest::Body::from(self.bytes.clone()), len)
            .file_name(self.filename.clone())
            .mime_str(&self.content_type)
            .map_err(|e| format!("{}: content type {:?}: {e}", self.name, self.content_type))?;
        Ok(Form::new().part(self.name.clone(), part))
    }
}

/// What a request carries after its headers.
#[derive(Clone, Debug)]
pub enum Body {
    /// Nothing (GET; an upload row called with a URL instead of a file).
    Empty,
    /// JSON, `application/json`.
    Json(Bytes),
    /// One file as multipart/form-data, rebuilt for each attempt.
    Form(std::sync::Arc<FilePart>),
}
