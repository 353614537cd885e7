//! Arbitrary text through the assembler for every version: an error or a program, never a panic;
//! whatever assembles also verifies or fails with a typed error, and disassembles.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::{disassemble, Symbols};
use sbvm::isa::SbpfVersion;

fuzz_target!(|source: &str| {
    for version in SbpfVersion::ALL {
        if let Ok(program) = assemble(source, version) {
            let _ = sbvm::verifier::verify(&program.text, version);
            let _ = disassemble(&program.text, version, &Symbols::from_assembled(&program));
        }
    }
});
