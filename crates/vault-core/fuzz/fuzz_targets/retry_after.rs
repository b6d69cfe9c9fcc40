//! `parse_retry_after` on arbitrary header values (numbers of any form, dates, NaN, huge,
//! negative, garbage): never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vault_core::parse_retry_after;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_retry_after(&text);
});
