//! Message pushes: the one intake every push is opened by (`receiver`), an account's own (`push` in the client
//! config), the freshness rule (`replay`), and duplicates: a push's fleet-wide name (`key`), this process's
//! window of running and handled pushes (`window`) and the claim that decides who runs a push (`ledger`).
//! The platform's authorization events (`component::push`) and the authorizers' messages
//! (`component::Component::messages`) are received here too.

pub mod config;
pub mod key;
pub mod ledger;
pub mod receiver;
pub mod replay;
pub mod window;
