//! Any bytes as a megaapi status body: a status or a `decode` error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Err(error) = wa_unified::decode::megaapi("instance", body) {
        assert_eq!(error.kind(), wa_unified::ErrorKind::Decode);
    }
});
