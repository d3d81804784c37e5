//! An answer's JSON text as it crosses to JS: ASCII (what the transcoder writes), made a one-byte (Latin-1)
//! string, which V8 takes without decoding UTF-8. A large one (64 KiB and up) is handed to V8 as an external
//! string when Node offers `node_api_create_external_string_latin1` (18.18, 20.4 and later): V8 reads the
//! core's bytes where they are, instead of copying a megabyte into a new large-object page (and faulting it
//! in) on the JS thread for every large answer; the bytes are freed when V8 collects the string.

use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::sys;
use std::ffi::{c_char, c_void};
use std::mem::ManuallyDrop;
use std::ptr;
use std::sync::OnceLock;

/// Below this, copying is cheaper than an external string's bookkeeping.
const EXTERNAL_FROM: usize = 64 * 1024;

pub struct AsciiText(pub Vec<u8>);

type CreateExternal = unsafe extern "C" fn(
    env: sys::napi_env,
    text: *mut c_char,
    length: isize,
    finalize: sys::napi_finalize,
    hint: *mut c_void,
    result: *mut sys::napi_value,
    copied: *mut bool,
) -> sys::napi_status;

/// Looked up in the process rather than through napi-sys, which prints to stderr when a Node lacks it.
fn create_external() -> Option<CreateExternal> {
    static FOUND: OnceLock<Option<CreateExternal>> = OnceLock::new();
    *FOUND.get_or_init(|| {
        #[cfg(unix)]
        {
            let this = libloading::os::unix::Library::this();
            // SAFETY: the Node-API function of that name has this signature.
            unsafe { this.get::<CreateExternal>(b"node_api_create_external_string_latin1\0") }.ok().map(|f| *f)
        }
        #[cfg(not(unix))]
        {
            None
        }
    })
}

/// Frees the bytes once V8 is done with them (or at once, when it chose to copy them), and tells V8 they are
/// gone.
unsafe extern "C" fn release(env: sys::napi_env, data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `hint` is the boxed (length, capacity) of the Vec whose pointer is `data`, given away below.
    let (len, cap) = *unsafe { Box::from_raw(hint as *mut (usize, usize)) };
    drop(unsafe { Vec::from_raw_parts(data as *mut u8, len, cap) });
    let mut total = 0;
    unsafe { sys::napi_adjust_external_memory(env, -(cap as i64), &mut total) };
}

impl ToNapiValue for AsciiText {
    unsafe fn to_napi_value(env: sys::napi_env, text: Self) -> napi::Result<sys::napi_value> {
        let mut value = ptr::null_mut();
        let mut text = text.0;
        if text.len() >= EXTERNAL_FROM {
            if let Some(create) = create_external() {
                let mut bytes = ManuallyDrop::new(text);
                let (data, len, cap) = (bytes.as_mut_ptr(), bytes.len(), bytes.capacity());
                let hint = Box::into_raw(Box::new((len, cap)));
                // V8 sees a string of a few words: told of the megabyte behind it, it collects as soon as it would
                // for a Buffer (without this: 841 MB peak RSS after sequential 1 MB answers). `release` takes it
                // back, at once if V8 copies.
                let mut total = 0;
                unsafe { sys::napi_adjust_external_memory(env, cap as i64, &mut total) };
                let mut copied = false;
                let status = unsafe { create(env, data.cast(), len as isize, Some(release), hint.cast(), &mut value, &mut copied) };
                if status == sys::Status::napi_ok {
                    return Ok(value);
                }
                // Refused, and no finalizer ran: the bytes are still ours, made a string the plain way below.
                unsafe { sys::napi_adjust_external_memory(env, -(cap as i64), &mut total) };
                drop(unsafe { Box::from_raw(hint) });
                text = unsafe { Vec::from_raw_parts(data, len, cap) };
            }
        }
        napi::check_status!(unsafe { sys::napi_create_string_latin1(env, text.as_ptr().cast(), text.len() as isize, &mut value) })?;
        Ok(value)
    }
}

impl TypeName for AsciiText {
    fn type_name() -> &'static str {
        "String(latin1)"
    }

    fn value_type() -> ValueType {
        ValueType::String
    }
}
