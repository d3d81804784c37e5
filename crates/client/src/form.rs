//! A file upload's body: one file, kept as shared bytes so that every attempt (a retry, another host after a
//! refused connection) builds its multipart/form-data body afresh from the same part. Building one copies
//! no file bytes: the body is the part's head, the shared file bytes and the closing boundary, sent one after
//! the other with their total length known, so the request has a Content-Length.

use bytes::Bytes;

/// The file of an upload row, as WeChat reads it: the form field, its file name and content type, the bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct FilePart {
    /// The form-data name (`media`, `img`): the row's file field.
    pub name: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Bytes,
}

/// One attempt's multipart/form-data body, in the three pieces it is sent as.
#[derive(Debug)]
pub struct Multipart {
    /// The request's `Content-Type`: `multipart/form-data; boundary=…`.
    pub content_type: String,
    /// The opening boundary and the part's headers.
    pub head: Bytes,
    /// The file, shared with every other attempt.
    pub file: Bytes,
    /// The closing boundary.
    pub tail: Bytes,
}

impl FilePart {
    /// A new multipart body holding this file, with a boundary of its own; its content type was checked before
    /// any I/O, and is checked again here as a MIME type (it becomes a header line).
    pub fn multipart(&self) -> Result<Multipart, String> {
        let mime: mime::Mime = self.content_type.parse().map_err(|e| format!("{}: content type {:?}: {e}", self.name, self.content_type))?;
        let boundary = boundary();
        // As browsers (and reqwest) write it: a quoted file name with `\`, `"`, CR and LF escaped.
        let filename = self.filename.replace('\\', "\\\\").replace('"', "\\\"").replace('\r', "\\\r").replace('\n', "\\\n");
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n",
            self.name
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        Ok(Multipart {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            head: head.into(),
            file: self.bytes.clone(),
            tail: tail.into(),
        })
    }
}

/// 256 random bits, as reqwest made them: no file can be expected to hold them by chance.
fn boundary() -> String {
    let [a, b, c, d]: [u64; 4] = rand::random();
    format!("{a:016x}-{b:016x}-{c:016x}-{d:016x}")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn part(filename: &str, content_type: &str) -> FilePart {
        FilePart { name: "media".into(), filename: filename.into(), content_type: content_type.into(), bytes: Bytes::from_static(b"\x89PNG\r\n--not a boundary\r\n") }
    }

    /// The body as a real multipart parser (multer, what the emulator reads uploads with) reads it back.
    async fn parse(form: Multipart) -> Vec<(String, Option<String>, Option<String>, Bytes)> {
        let boundary = multer::parse_boundary(&form.content_type).unwrap();
        let whole = [form.head, form.file, form.tail].concat();
        let stream = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(whole)) });
        let mut reader = multer::Multipart::new(stream, boundary);
        let mut fields = Vec::new();
        while let Some(field) = reader.next_field().await.unwrap() {
            let (name, filename, ct) = (field.name().map(str::to_owned), field.file_name().map(str::to_owned), field.content_type().map(|m| m.to_string()));
            fields.push((name.unwrap(), filename, ct, field.bytes().await.unwrap()));
        }
        fields
    }

    #[tokio::test]
    async fn the_body_is_one_file_part_that_a_real_parser_reads_back() {
        let file = part("photo \"1\".png", "image/png");
        let form = file.multipart().unwrap();
        assert!(form.content_type.starts_with("multipart/form-data; boundary="), "{}", form.content_type);
        assert_eq!(form.file.as_ptr(), file.bytes.as_ptr(), "the file's bytes are shared, not copied");
        let fields = parse(form).await;
        assert_eq!(fields, vec![("media".into(), Some("photo \"1\".png".into()), Some("image/png".into()), file.bytes.clone())]);
    }

    #[test]
    fn every_attempt_has_a_boundary_of_its_own() {
        let file = part("a.png", "image/png");
        assert_ne!(file.multipart().unwrap().content_type, file.multipart().unwrap().content_type);
    }

    #[test]
    fn a_content_type_that_is_no_mime_type_is_refused_by_name() {
        let err = part("a.png", "image/png\r\nx-injected: 1").multipart().unwrap_err();
        assert!(err.starts_with("media: content type \"image/png\\r\\nx-injected: 1\": "), "{err}");
    }
}
