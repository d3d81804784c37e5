//! Message pushes: an account's own (`push` in the client config) and the freshness and duplicate rules every
//! push intake shares (`replay`). The platform's authorization events live in `component::push`, and the
//! authorizers' messages reach `component::Component::messages`, both on these parts.

pub mod config;
pub mod receiver;
pub mod replay;
