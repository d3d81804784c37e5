//! Message pushes: the one intake every push is opened by (`receiver`), an account's own (`push` in the client
//! config), and the freshness and duplicate rules (`replay`). The platform's authorization events
//! (`component::push`) and the authorizers' messages (`component::Component::messages`) are received here too.

pub mod config;
pub mod receiver;
pub mod replay;
