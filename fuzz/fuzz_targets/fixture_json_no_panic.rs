//! Arbitrary bytes as a Solana instruction fixture: parsing fails with an error naming the
//! field, never a panic; a fixture that parses runs (against a runtime without its program, so
//! the instruction is set up and refused) without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sbvm::solana::fixture::Fixture;
use sbvm::solana::ProgramRuntime;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(fixture) = Fixture::from_json(text) {
        let runtime = ProgramRuntime::new();
        if let Ok(result) = runtime.process_instruction(&fixture.instruction, &fixture.accounts) {
            let _ = fixture.differences(&result);
        }
    }
});
