//! The waybill WeChat renders for printing (`print_html`): HTML, base64-encoded. `setPrintHtmlSize` pads it
//! to a given size so benchmarks can fetch many orders with sizeable waybills.

use super::carriers::carrier;
use super::order_record::Order;
use base64::Engine;
use serde_json::Value;

/// The base64 `print_html` of an order; `one_part` is `print_type: 1`; `pad_kib` the minimum HTML size.
pub fn print_html(order: &Order, one_part: bool, pad_kib: usize) -> String {
    let mut html = waybill_html(order, one_part);
    let target = pad_kib * 1024;
    if html.len() < target {
        // Padding sits in a comment before the closing tag so the page still renders the same.
        let filler_len = (target - html.len()).saturating_sub("<!--  -->".len());
        let filler: String = "waybill-padding ".chars().cycle().take(filler_len).collect();
        let comment = format!("<!-- {filler} -->");
        let at = html.rfind("</body>").unwrap_or(html.len());
        html.insert_str(at, &comment);
    }
    base64::engine::general_purpose::STANDARD.encode(html)
}

fn contact_line(contact: &Value) -> String {
    let text = |k: &str| contact.get(k).and_then(Value::as_str).unwrap_or_default();
    let phone = if text("mobile").is_empty() { text("tel") } else { text("mobile") };
    let address: String = ["province", "city", "area", "address"].iter().map(|k| text(k)).collect();
    escape(&format!("{} {} {}", text("name"), phone, address))
}

fn waybill_html(order: &Order, one_part: bool) -> String {
    let company = carrier(&order.delivery_id).map_or(order.delivery_id.as_str(), |c| c.name);
    let marks: String = order
        .waybill_data
        .iter()
        .map(|(k, v)| format!("<div class=\"mark\" data-key=\"{}\">{}</div>", escape(k), escape(v)))
        .collect();
    let parts = if one_part { "one-part" } else { "two-part" };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{waybill}</title></head>\
         <body class=\"waybill {parts}\"><h1>{company}</h1><div class=\"barcode\">{waybill}</div>{marks}\
         <div class=\"sender\">寄件人: {sender}</div><div class=\"receiver\">收件人: {receiver}</div>\
         <div class=\"order\">订单号: {order_id}</div></body></html>",
        waybill = escape(&order.waybill_id),
        company = escape(company),
        sender = contact_line(&order.request["sender"]),
        receiver = contact_line(&order.request["receiver"]),
        order_id = escape(&order.order_id),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
