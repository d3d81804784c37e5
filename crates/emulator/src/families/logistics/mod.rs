//! WeChat's logistics (express delivery) API as five families: courier accounts, orders, the courier's side
//! (`delivery`), printer users and the tracking components (`msg`); plus what they share: the companies
//! (`carriers`), the order records (`order_record`), how orders are paid for (`billing`), the printed
//! waybill (`print_html`) and the path event pushed to the merchant (`path_push`).

pub mod accounts;
pub mod billing;
pub mod carriers;
pub mod courier_calls;
pub mod couriers;
pub mod delivery;
pub mod msg;
pub mod order_record;
pub mod orders;
pub mod path_push;
pub mod print_html;
pub mod printers;
