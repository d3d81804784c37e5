//! WeChat push XML: the flat `<xml><Name>value</Name>...</xml>` envelopes WeChat POSTs and expects
//! back (`Encrypt` beside `ToUserName`/`AppId`, a passive reply's four fields). Message content is
//! read by `push_tree`, which keeps nested blocks.
//!
//! Parsing rules (deliberately narrower than XML, because the input comes from the network):
//! - Input longer than `max_bytes` is rejected with `TooLarge` before the parser sees it.
//! - Any DOCTYPE is rejected, so there is no DTD, no entity declaration and no expansion.
//!   Only the five predefined entities (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`) and character
//!   references are unescaped; any other `&name;` is an error. CDATA is supported (and may be split).
//! - Processing instructions are rejected; comments are ignored; an XML declaration may open the
//!   document. Attributes are ignored.
//! - The root element must be `<xml>`; exactly one root; no text directly inside it.
//! - Nested elements are SKIPPED, not rejected: a child of `<xml>` that itself contains elements
//!   is left out of the flat list. Some legitimate pushes carry nested blocks (e.g. the
//!   `notify_third_fasteregister` event's `<info>`, or a compatible-mode envelope's plain copy), and
//!   rejecting them would make the whole envelope unreadable; content with nested data is read by
//!   `push_tree`. Nesting deeper than [`MAX_DEPTH`] is rejected.
//! - Values are returned verbatim (after unescaping and XML 1.0 end-of-line normalisation).
//!
//! Error texts are fixed strings plus a byte offset: they never echo the (possibly decrypted) input.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::crypto::CryptoError;

/// Default size limit for a push body or a decrypted inner message. WeChat's pushes are a few
/// KB; 1 MiB leaves ample room while bounding what an unauthenticated POST can make us parse.
pub const MAX_PUSH_XML_BYTES: usize = 1 << 20;

/// Deepest element nesting accepted (root = 1). Deeper documents are not WeChat pushes.
pub const MAX_DEPTH: usize = 32;

pub(crate) fn bad(why: &str) -> CryptoError {
    CryptoError::BadXml(why.to_string())
}

pub(crate) fn bad_at(why: &str, pos: u64) -> CryptoError {
    CryptoError::BadXml(format!("{why} at byte {pos}"))
}

pub(crate) fn is_xml_ws(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn element_name(e: &quick_xml::events::BytesStart<'_>) -> String {
    let q = e.name();
    let name: &str = q.as_ref();
    name.to_string()
}

/// A character reference or one of the five predefined entities; anything else is an error (no DTD exists
/// to define it).
pub(crate) fn resolve_reference(r: &quick_xml::events::BytesRef<'_>, pos: u64) -> Result<String, CryptoError> {
    match r.resolve_char_ref() {
        Ok(Some(ch)) => Ok(ch.to_string()),
        Ok(None) => resolve_predefined_entity(r).map(str::to_string).ok_or_else(|| bad_at("undefined entity", pos)),
        Err(_) => Err(bad_at("invalid character reference", pos)),
    }
}

/// Parses the children of the root `<xml>` element into `(name, value)` pairs, in document order
/// (duplicates kept). See the module docs for exactly what is accepted.
pub fn parse_flat(xml: &str, max_bytes: usize) -> Result<Vec<(String, String)>, CryptoError> {
    if xml.len() > max_bytes {
        return Err(CryptoError::TooLarge);
    }
    let mut reader = Reader::from_str(xml);
    // Defaults already check end-tag names and reject a dangling '&'; state it to be explicit.
    reader.config_mut().check_end_names = true;

    let mut out = Vec::new();
    // Depth of the *open* element stack: 0 = prolog/epilog, 1 = inside <xml>, 2 = inside a
    // field, 3+ = inside a nested element (skipped).
    let mut depth: usize = 0;
    let mut root_done = false;
    let mut field_name = String::new();
    let mut field_value = String::new();
    let mut field_nested = false;

    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|_| bad_at("malformed XML", reader.error_position()))?;
        match event {
            Event::DocType(_) => return Err(bad("DOCTYPE is not allowed")),
            Event::PI(_) => return Err(bad("processing instructions are not allowed")),
            Event::Comment(_) => {}
            Event::Decl(_) => {
                if depth != 0 || root_done || !out.is_empty() {
                    return Err(bad_at("misplaced XML declaration", pos));
                }
            }
            Event::Start(e) => {
                let name = element_name(&e);
                match depth {
                    0 if root_done => return Err(bad_at("more than one root element", pos)),
                    0 if name != "xml" => return Err(bad("root element must be <xml>")),
                    0 => {}
                    1 => {
                        field_name = name;
                        field_value.clear();
                        field_nested = false;
                    }
                    2 => field_nested = true,
                    _ => {}
                }
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(bad("elements nested too deeply"));
                }
            }
            Event::Empty(e) => {
                let name = element_name(&e);
                match depth {
                    0 if root_done => return Err(bad_at("more than one root element", pos)),
                    0 if name != "xml" => return Err(bad("root element must be <xml>")),
                    0 => root_done = true, // `<xml/>`: no fields
                    1 => out.push((name, String::new())),
                    2 => field_nested = true,
                    _ => {}
                }
            }
            Event::End(_) => {
                // quick-xml has already checked the name matches the open tag.
                match depth {
                    0 => return Err(bad_at("unexpected end tag", pos)),
                    1 => root_done = true,
                    2 if !field_nested => out.push((
                        std::mem::take(&mut field_name),
                        std::mem::take(&mut field_value),
                    )),
                    _ => {}
                }
                depth -= 1;
            }
            Event::Text(t) => match depth {
                0 | 1 if !is_xml_ws(&t) => return Err(bad_at("text outside of a field", pos)),
                2 => field_value.push_str(&t.xml10_content()),
                _ => {}
            },
            Event::CData(c) => match depth {
                0 | 1 => return Err(bad_at("CDATA outside of a field", pos)),
                2 => field_value.push_str(&c.xml10_content()),
                _ => {}
            },
            Event::GeneralRef(r) => {
                // Resolve even in skipped content, so an undefined entity never passes silently.
                let resolved = resolve_reference(&r, pos)?;
                match depth {
                    0 | 1 => return Err(bad_at("text outside of a field", pos)),
                    2 => field_value.push_str(&resolved),
                    _ => {}
                }
            }
            Event::Eof => {
                if depth != 0 || !root_done {
                    return Err(bad("unexpected end of document"));
                }
                return Ok(out);
            }
        }
    }
}

/// Writes `value` as CDATA, splitting any `]]>` across two sections so it round-trips.
pub fn push_cdata(out: &mut String, value: &str) {
    out.push_str("<![CDATA[");
    out.push_str(&value.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

/// Writes `value` as escaped character data (for numbers such as TimeStamp; safe for anything).
pub fn push_text(out: &mut String, value: &str) {
    for ch in value.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
}

fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Builds `<xml><Name>value</Name>...</xml>` the way WeChat writes it: all-digit values (CreateTime,
/// MsgId) as plain text, everything else as CDATA (with `]]>` split safely).
///
/// Field names are program constants, not data: they must be ASCII XML names
/// (`[A-Za-z_][A-Za-z0-9_.-]*`), which is checked in debug builds.
pub fn build_flat(fields: &[(&str, &str)]) -> String {
    let cap = 11
        + fields
            .iter()
            .map(|(k, v)| 2 * k.len() + v.len() + 17)
            .sum::<usize>();
    let mut out = String::with_capacity(cap);
    out.push_str("<xml>");
    for (name, value) in fields {
        debug_assert!(
            is_xml_name(name),
            "build_flat: field name is not an XML name"
        );
        out.push('<');
        out.push_str(name);
        out.push('>');
        if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(value);
        } else {
            push_cdata(&mut out, value);
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    out.push_str("</xml>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn pf(xml: &str) -> Result<Vec<(String, String)>, CryptoError> {
        parse_flat(xml, MAX_PUSH_XML_BYTES)
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn is_bad_xml(r: Result<Vec<(String, String)>, CryptoError>) -> bool {
        matches!(r, Err(CryptoError::BadXml(_)))
    }

    #[test]
    fn parses_cdata_text_entities_and_char_refs() {
        let xml = "<?xml version=\"1.0\"?>\n<xml>\n  <A><![CDATA[x < y & z]]></A>\n  <B>1413192605</B>\
                   <C>a &amp; b &lt;&gt; &quot;&apos; &#20320;&#x597D;</C><D/><E></E>\
                   <F><![CDATA[p]]]]><![CDATA[>q]]></F><!-- comment --><G attr=\"1\">  spaced  </G>\n</xml>\n";
        assert_eq!(
            pf(xml).unwrap(),
            pairs(&[
                ("A", "x < y & z"),
                ("B", "1413192605"),
                ("C", "a & b <> \"' 你好"),
                ("D", ""),
                ("E", ""),
                ("F", "p]]>q"),
                ("G", "  spaced  "),
            ])
        );
    }

    #[test]
    fn normalises_crlf_like_an_xml_parser() {
        assert_eq!(
            pf("<xml><A>a\r\nb</A></xml>").unwrap(),
            pairs(&[("A", "a\nb")])
        );
    }

    #[test]
    fn empty_root_is_empty_list() {
        assert_eq!(pf("<xml/>").unwrap(), vec![]);
        assert_eq!(pf("<xml></xml>").unwrap(), vec![]);
    }

    #[test]
    fn skips_nested_elements() {
        let xml = "<xml><AppId>wx1</AppId><info><name><![CDATA[n]]></name><code>c</code></info>\
                   <Mixed>text<b/>more</Mixed><InfoType>notify_third_fasteregister</InfoType></xml>";
        assert_eq!(
            pf(xml).unwrap(),
            pairs(&[("AppId", "wx1"), ("InfoType", "notify_third_fasteregister")])
        );
    }

    #[test]
    fn rejects_too_deep_nesting() {
        let mut xml = String::from("<xml>");
        for _ in 0..MAX_DEPTH {
            xml.push_str("<a>");
        }
        for _ in 0..MAX_DEPTH {
            xml.push_str("</a>");
        }
        xml.push_str("</xml>");
        assert!(is_bad_xml(pf(&xml)));
    }

    #[test]
    fn rejects_doctype_and_entity_expansion() {
        let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><Content>&lol2;</Content></xml>"#;
        assert_eq!(pf(billion_laughs), Err(bad("DOCTYPE is not allowed")));
        let xxe =
            r#"<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><A>&xxe;</A></xml>"#;
        assert_eq!(pf(xxe), Err(bad("DOCTYPE is not allowed")));
        // Without a DOCTYPE an unknown entity is simply undefined.
        let r = pf("<xml><A>&xxe;</A></xml>");
        assert!(is_bad_xml(r.clone()));
        assert!(!r.unwrap_err().to_string().contains("xxe"));
        // Even inside skipped nested content.
        assert!(is_bad_xml(pf("<xml><A><b>&xxe;</b></A></xml>")));
        // Bad char refs and dangling ampersands.
        assert!(is_bad_xml(pf("<xml><A>&#0;</A></xml>")));
        assert!(is_bad_xml(pf("<xml><A>&#xFFFFFFFF;</A></xml>")));
        assert!(is_bad_xml(pf("<xml><A>a & b</A></xml>")));
    }

    #[test]
    fn rejects_oversized_before_parsing() {
        let big = format!("<xml><A>{}</A></xml>", "a".repeat(100));
        assert_eq!(parse_flat(&big, 50), Err(CryptoError::TooLarge));
        // Even garbage is TooLarge, proving no parsing happened.
        assert_eq!(parse_flat(&"<".repeat(51), 50), Err(CryptoError::TooLarge));
        assert!(parse_flat(&big, big.len()).is_ok());
        let huge = "x".repeat(MAX_PUSH_XML_BYTES + 1);
        assert_eq!(pf(&huge), Err(CryptoError::TooLarge));
    }

    #[test]
    fn rejects_structural_problems() {
        for xml in [
            "",
            "   ",
            "<root><A>1</A></root>",
            "<xml><A>1</A></xml><xml/>",
            "<xml><A>1</A></xml>trailing",
            "<xml>loose text<A>1</A></xml>",
            "<xml><![CDATA[x]]></xml>",
            "<xml>&amp;</xml>",
            "<xml><A>1</B></xml>",
            "<xml><A>1</A>",
            "<xml><A>1</A></xml></xml>",
            "<xml><?pi x?><A>1</A></xml>",
            "<xml><A>1</A><?xml version=\"1.0\"?></xml>",
            "<xml><A x=\"1></A></xml>",
        ] {
            assert!(is_bad_xml(pf(xml)), "accepted: {xml:?}");
        }
    }

    #[test]
    fn errors_never_echo_input() {
        for xml in [
            "<xml><Secret>1</Wrong></xml>",
            "<Secret/>",
            "<xml><A>&Secret;</A></xml>",
        ] {
            let e = pf(xml).unwrap_err().to_string();
            assert!(!e.contains("Secret") && !e.contains("Wrong"), "{e}");
        }
    }

    #[test]
    fn build_flat_round_trips() {
        let fields = [
            ("ToUserName", "gh_10f6c3c3ac5a"),
            ("CreateTime", "1409735668"),
            ("Content", "中文 ]]> <b>&amp; ]]]]> end]]"),
            ("Empty", ""),
        ];
        let xml = build_flat(&fields);
        assert!(xml.contains("<CreateTime>1409735668</CreateTime>"));
        assert!(xml.starts_with("<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"));
        assert_eq!(pf(&xml).unwrap(), pairs(&fields));
    }

    #[test]
    fn push_cdata_and_text_escape() {
        let mut s = String::new();
        push_text(&mut s, "1<2&3>");
        assert_eq!(s, "1&lt;2&amp;3&gt;");
        let xml = format!("<xml><A>{s}</A></xml>");
        assert_eq!(pf(&xml).unwrap(), pairs(&[("A", "1<2&3>")]));
    }

    const TICKET: &str = "<xml><AppId><![CDATA[wx0123456789abcdef]]></AppId>\
        <CreateTime>1413192605</CreateTime><InfoType><![CDATA[component_verify_ticket]]></InfoType>\
        <ComponentVerifyTicket><![CDATA[ticket@@@secret]]></ComponentVerifyTicket></xml>";

    /// Property-style: random bytes, mutated WeChat XML and tag soup must never panic.
    #[test]
    fn fuzz_parse_flat_never_panics() {
        let mut rng = StdRng::seed_from_u64(0x5EED_0001);
        let atoms = [
            "<xml>",
            "</xml>",
            "<A>",
            "</A>",
            "<A/>",
            "<![CDATA[",
            "]]>",
            "&amp;",
            "&#",
            "&#x",
            ";",
            "&",
            "<!DOCTYPE",
            "<!--",
            "-->",
            "<?",
            "?>",
            "<",
            ">",
            "\"",
            "=",
            " ",
            "\r\n",
            "中",
            "AppId",
            "<CreateTime>",
            "</CreateTime>",
            "<InfoType>",
            "</InfoType>",
            "component_verify_ticket",
            "1",
        ];
        for i in 0..4000 {
            let s: String = match i % 3 {
                0 => {
                    let n = rng.gen_range(0..200);
                    let bytes: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                1 => (0..rng.gen_range(0..40))
                    .map(|_| atoms[rng.gen_range(0..atoms.len())])
                    .collect(),
                _ => {
                    let b = crate::fuzz_support::mutate(&mut rng, TICKET.as_bytes(), b"<>&;/![");
                    String::from_utf8_lossy(&b).into_owned()
                }
            };
            let _ = parse_flat(&s, 4096);
            let _ = pf(&s);
        }
    }
}
