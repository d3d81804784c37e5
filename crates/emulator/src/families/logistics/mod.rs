//! WeChat's logistics (express delivery) API as five families: courier accounts, orders, the courier's side
//! (`delivery`), printer users and the tracking components (`msg`); plus what they share: the companies
//! (`carriers`), the order records (`order_record`), how orders are paid for (`billing`) and the printed
//! waybill (`print_html`).

pub mod accounts;
pub mod billing;
pub mod carriers;
pub mod delivery;
pub mod msg;
pub mod order_record;
pub mod orders;
pub mod print_html;
pub mod printers;
