//! The small kit every family is built from: the state and its records, who calls (context), what they send
//! (params), how a row is served (route), how a failure is worded (failure), control actions and the shape of
//! a family. It imports no family, so any family can use it without a circle.

pub mod action;
pub mod clock;
pub mod context;
pub mod failure;
pub mod family;
pub mod ids;
pub mod params;
pub mod permissions;
pub mod push;
pub mod records;
pub mod route;
pub mod state;
pub mod upload;
