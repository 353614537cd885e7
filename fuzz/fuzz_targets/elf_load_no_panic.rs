//! Arbitrary bytes as an ELF file: loading (every version enabled), the text loader and the
//! symbol reader fail with typed errors, never a panic; whatever loads also runs under a small
//! budget without panicking, and its disassembly (with its read-only data) assembles.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::vm::{Config, Executable};
use std::sync::Arc;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = sbvm::elf::load_text(bytes) {
        let source = sbvm::isa::disasm::disassemble(&text.text, text.version, &text.symbols());
        if let Err(error) = sbvm::isa::asm::assemble(&source, text.version) {
            panic!("the disassembly does not assemble: {error}\n{source}");
        }
    }
    let _ = sbvm::elf::function_symbols(bytes);
    let runtime = Arc::new(standard_runtime(Config::default()));
    if let Ok(executable) = Executable::from_elf(bytes, runtime) {
        let setup = RunSetup {
            budget: 1_000,
            input: vec![1],
            heap_size: 1024,
        };
        let _ = run_interpreted(&executable, &setup);
    }
});
