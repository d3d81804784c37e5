//! Message content as a tree: the reader that never drops data, and its writer.
//!
//! `parse_tree` reads any `<xml>…</xml>` message WeChat pushes into a JSON object:
//! - an element holding only text or CDATA becomes a string, exactly as sent (after unescaping and
//!   XML 1.0 end-of-line normalisation); an empty element becomes `""`;
//! - an element holding elements becomes an object (text mixed in beside them is kept as `#text`);
//! - a name met again among the same parent's children becomes an array, in document order;
//! - attributes are kept as `@name` (WeChat sends none; nothing is dropped if it ever does).
//!
//! Everything stays a string here: which fields are numbers is the documented schema's business
//! (`push_schema`). The same network rules as `push_xml::parse_flat` apply: a size cap checked first,
//! no DOCTYPE (so no DTD, no entity declaration, no expansion), only the predefined entities and
//! character references, no processing instructions, a bounded depth, and error texts that never
//! echo the input.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

use crate::crypto::push_xml::{bad, bad_at, is_xml_ws, push_cdata, push_text, resolve_reference, MAX_DEPTH};
use crate::crypto::CryptoError;

/// An element being read: its name, children so far, text so far.
struct Open {
    name: String,
    children: Map<String, Value>,
    text: String,
}

impl Open {
    fn new(e: &BytesStart<'_>) -> Result<Open, CryptoError> {
        let q = e.name();
        let name: &str = q.as_ref();
        // `@` and `#` start no XML name; refusing them keeps `@attr` and `#text` unambiguous in the tree.
        if name.starts_with(['@', '#']) {
            return Err(bad("invalid element name"));
        }
        let name = name.to_owned();
        let mut children = Map::new();
        for attr in e.attributes() {
            let attr = attr.map_err(|_| bad("malformed attribute"))?;
            #[allow(deprecated)] // its replacement needs the document's XML version; WeChat's is 1.0 or none
            let value = attr.unescape_value().map_err(|_| bad("malformed attribute"))?;
            let key: &str = attr.key.as_ref();
            let key = format!("@{key}");
            add(&mut children, key, Value::String(value.into_owned()));
        }
        Ok(Open { name, children, text: String::new() })
    }

    /// What the element becomes in its parent.
    fn finish(self) -> Value {
        if self.children.is_empty() {
            return Value::String(self.text);
        }
        let mut children = self.children;
        if !is_xml_ws(&self.text) {
            add(&mut children, "#text".into(), Value::String(self.text));
        }
        Value::Object(children)
    }
}

/// Adds a child; a name already there becomes (or grows) an array, in document order.
fn add(map: &mut Map<String, Value>, name: String, value: Value) {
    match map.get_mut(&name) {
        None => {
            map.insert(name, value);
        }
        // A child is a string or an object, so an array here is one this function made from repetition.
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

/// Reads a message into its tree (see the module docs). The root must be `<xml>`.
pub fn parse_tree(xml: &str, max_bytes: usize) -> Result<Map<String, Value>, CryptoError> {
    if xml.len() > max_bytes {
        return Err(CryptoError::TooLarge);
    }
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Map<String, Value>> = None;
    let mut seen_any = false;
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|_| bad_at("malformed XML", reader.error_position()))?;
        match event {
            Event::DocType(_) => return Err(bad("DOCTYPE is not allowed")),
            Event::PI(_) => return Err(bad("processing instructions are not allowed")),
            Event::Comment(_) => {}
            Event::Decl(_) if seen_any || !stack.is_empty() => return Err(bad_at("misplaced XML declaration", pos)),
            Event::Decl(_) => {}
            Event::Start(e) if stack.is_empty() => stack.push(open_root(&e, &root, pos)?),
            Event::Empty(e) if stack.is_empty() => root = Some(open_root(&e, &root, pos)?.children),
            Event::Start(e) => {
                stack.push(Open::new(&e)?);
                if stack.len() > MAX_DEPTH {
                    return Err(bad("elements nested too deeply"));
                }
            }
            Event::Empty(e) => {
                let open = Open::new(&e)?;
                let name = open.name.clone();
                let parent = stack.last_mut().expect("inside the root");
                add(&mut parent.children, name, open.finish());
            }
            Event::End(_) => {
                let done = stack.pop().ok_or_else(|| bad_at("unexpected end tag", pos))?;
                match stack.last_mut() {
                    Some(parent) => {
                        let name = done.name.clone();
                        add(&mut parent.children, name, done.finish());
                    }
                    None => {
                        if !is_xml_ws(&done.text) {
                            return Err(bad_at("text outside of a field", pos));
                        }
                        root = Some(done.children);
                    }
                }
            }
            Event::Text(t) => match stack.last_mut() {
                Some(open) => open.text.push_str(&t.xml10_content()),
                None if is_xml_ws(&t) => {}
                None => return Err(bad_at("text outside of the root", pos)),
            },
            Event::CData(c) => match stack.len() {
                0 | 1 => return Err(bad_at("CDATA outside of a field", pos)),
                _ => stack.last_mut().expect("open").text.push_str(&c.xml10_content()),
            },
            Event::GeneralRef(r) => {
                let resolved = resolve_reference(&r, pos)?;
                match stack.len() {
                    0 | 1 => return Err(bad_at("text outside of a field", pos)),
                    _ => stack.last_mut().expect("open").text.push_str(&resolved),
                }
            }
            Event::Eof => {
                return match (root, stack.is_empty()) {
                    (Some(tree), true) => Ok(tree),
                    _ => Err(bad("unexpected end of document")),
                };
            }
        }
        seen_any = true;
    }
}

/// The root: exactly one, named `xml`.
fn open_root(e: &BytesStart<'_>, root: &Option<Map<String, Value>>, pos: u64) -> Result<Open, CryptoError> {
    if root.is_some() {
        return Err(bad_at("more than one root element", pos));
    }
    let q = e.name();
    let name: &str = q.as_ref();
    if name != "xml" {
        return Err(bad("root element must be <xml>"));
    }
    Open::new(e)
}

/// Writes a tree the way WeChat writes messages: `<xml>` around the fields, strings as CDATA, numbers and
/// booleans as text, arrays as repeated elements, objects as nested elements. `#text` and `@name` keys are
/// written back as text and attributes, so `parse_tree(build_tree(t)) == t` for any tree `parse_tree` made.
pub fn build_tree(root: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(256);
    write_element(&mut out, "xml", &Value::Object(root.clone()));
    out
}

fn write_element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => {
            for item in items {
                write_element(out, name, item);
            }
        }
        Value::Object(map) => {
            out.push('<');
            out.push_str(name);
            for (k, v) in map.iter().filter(|(k, _)| k.starts_with('@')) {
                out.push(' ');
                out.push_str(&k[1..]);
                out.push_str("=\"");
                let mut escaped = String::new();
                push_text(&mut escaped, &scalar(v));
                out.push_str(&escaped.replace('"', "&quot;"));
                out.push('"');
            }
            out.push('>');
            for (k, v) in map.iter().filter(|(k, _)| !k.starts_with('@')) {
                if k == "#text" {
                    push_text(out, &scalar(v));
                } else {
                    write_element(out, k, v);
                }
            }
            close(out, name);
        }
        Value::String(s) => {
            open(out, name);
            if !s.is_empty() {
                push_cdata(out, s);
            }
            close(out, name);
        }
        other => {
            open(out, name);
            push_text(out, &scalar(other));
            close(out, name);
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::push_xml::MAX_PUSH_XML_BYTES;
    use serde_json::json;

    fn tree(xml: &str) -> Result<Value, CryptoError> {
        parse_tree(xml, MAX_PUSH_XML_BYTES).map(Value::Object)
    }

    /// The official add_express_path sample, with the undocumented fields real pushes carry.
    pub const PATH_PUSH: &str = "<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>\
        <CreateTime>1546924844</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[add_express_path]]></Event>\
        <DeliveryID><![CDATA[SF]]></DeliveryID><WayBillId><![CDATA[123456789]]></WayBillId><OrderId><![CDATA[123456]]></OrderId>\
        <Version>3</Version><Count>3</Count>\
        <Actions><ActionTime>1546924840</ActionTime><ActionType>100001</ActionType><ActionMsg><![CDATA[小哥A揽件成功]]></ActionMsg></Actions>\
        <Actions><ActionTime>1546924841</ActionTime><ActionType>200001</ActionType><ActionMsg><![CDATA[到达广州集包地]]></ActionMsg><Lat>23.1</Lat><Lng>113.2</Lng></Actions>\
        <Actions><ActionTime>1546924842</ActionTime><ActionType>300001</ActionType><ActionMsg><![CDATA[派件中]]></ActionMsg></Actions></xml>";

    #[test]
    fn keeps_every_repeated_element_in_order() {
        let t = tree(PATH_PUSH).unwrap();
        let actions = t["Actions"].as_array().unwrap();
        assert_eq!(actions.len(), 3);
        assert_eq!(actions[0]["ActionMsg"], "小哥A揽件成功");
        assert_eq!(actions[1]["Lat"], "23.1");
        assert_eq!(actions[2]["ActionType"], "300001");
        assert_eq!(t["WayBillId"], "123456789");
        assert_eq!(t["CreateTime"], "1546924844");
    }

    #[test]
    fn nested_text_cdata_empty_attributes_and_mixed_content() {
        let xml = "<xml><info><name><![CDATA[n]]></name><code_type>1</code_type><e/></info>\
                   <A>a &amp; &#20320;</A><B x=\"1\">t</B><M>before<c>1</c>after</M><C><![CDATA[p]]]]><![CDATA[>q]]></C></xml>";
        assert_eq!(
            tree(xml).unwrap(),
            json!({"info": {"name": "n", "code_type": "1", "e": ""}, "A": "a & 你", "B": {"@x": "1", "#text": "t"},
                   "M": {"c": "1", "#text": "beforeafter"}, "C": "p]]>q"})
        );
        assert_eq!(tree("<xml/>").unwrap(), json!({}));
        assert_eq!(tree("<?xml version=\"1.0\"?>\n<xml>\n</xml>\n").unwrap(), json!({}));
    }

    #[test]
    fn refuses_what_the_flat_reader_refuses() {
        for xml in [
            "",
            "<root/>",
            "<!DOCTYPE xml [<!ENTITY x \"y\">]><xml><A>&x;</A></xml>",
            "<xml><A>&xxe;</A></xml>",
            "<xml><?pi x?></xml>",
            "<xml><A>1</B></xml>",
            "<xml><A>1</A>",
            "<xml/><xml/>",
            "<xml>loose</xml>",
            "<xml><![CDATA[x]]></xml>",
            "<xml></xml>trailing",
            "<xml><#text>a</#text></xml>",
        ] {
            assert!(matches!(tree(xml), Err(CryptoError::BadXml(_))), "accepted {xml:?}");
        }
        let deep = format!("<xml>{}{}</xml>", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(matches!(tree(&deep), Err(CryptoError::BadXml(_))));
        assert_eq!(parse_tree(PATH_PUSH, 10), Err(CryptoError::TooLarge));
        let e = tree("<xml><Secret>&Secret;</Secret></xml>").unwrap_err().to_string();
        assert!(!e.contains("Secret"), "{e}");
    }

    #[test]
    fn build_tree_round_trips() {
        let t = parse_tree(PATH_PUSH, MAX_PUSH_XML_BYTES).unwrap();
        assert_eq!(parse_tree(&build_tree(&t), MAX_PUSH_XML_BYTES).unwrap(), t);
        let quoted = parse_tree("<xml><a x=\"&quot;&amp;&lt;\"><b/></a></xml>", MAX_PUSH_XML_BYTES).unwrap();
        assert_eq!(parse_tree(&build_tree(&quoted), MAX_PUSH_XML_BYTES).unwrap(), quoted);
        let typed = json!({"CreateTime": 1, "Event": "x ]]> y", "Actions": [{"ActionType": 100001}], "info": {"e": ""}});
        let back = parse_tree(&build_tree(typed.as_object().unwrap()), MAX_PUSH_XML_BYTES).unwrap();
        assert_eq!(Value::Object(back), json!({"CreateTime": "1", "Event": "x ]]> y", "Actions": {"ActionType": "100001"}, "info": {"e": ""}}));
    }

    #[test]
    fn never_panics_on_garbage() {
        use rand::{rngs::StdRng, Rng, SeedableRng};
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..3000 {
            let b = crate::fuzz_support::mutate(&mut rng, PATH_PUSH.as_bytes(), b"<>&;/![");
            let _ = parse_tree(&String::from_utf8_lossy(&b), 4096);
            let n = rng.gen_range(0..64);
            let _ = parse_tree(&(0..n).map(|_| ["<xml>", "</xml>", "<A>", "</A>", "<A/>", "x"][rng.gen_range(0..6)]).collect::<String>(), 4096);
        }
    }
}
