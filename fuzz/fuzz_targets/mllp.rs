#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| phigate::fuzzing::mllp(data));
