//! WeChat's server protocol as data and pure functions, shared by the client and the emulator: the endpoint
//! table, wx-server-sdk's case conversion, long integers across JSON, WXBizMsgCrypt and push XML, the
//! credential type that cannot be printed, and WeChat's error codes with their meanings.
//! Nothing here does I/O.

pub mod bigint;
pub mod case;
pub mod catalogue;
pub mod codes;
pub mod crypto;
pub mod secret;
pub mod suggest;

#[cfg(any(test, feature = "test-support"))]
pub mod fuzz_support;
