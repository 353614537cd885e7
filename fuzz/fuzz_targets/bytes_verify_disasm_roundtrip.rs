//! Arbitrary bytes as a text section of any version or Linux eBPF: the verifier and disassembler never panic,
//! and the disassembly of the whole slots reassembles to exactly those bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::{disassemble, listing, Symbols};
use sbvm::isa::{SbpfVersion, INSN_SIZE};

fuzz_target!(|input: (u8, &[u8])| {
    let (selector, bytes) = input;
    let version = match selector % 7 {
        6 => SbpfVersion::Ebpf,
        flags => SbpfVersion::from_e_flags(u32::from(flags)),
    };
    let _ = sbvm::verifier::verify(bytes, version);
    let _ = listing(bytes, version, &Symbols::default());
    let source = disassemble(bytes, version, &Symbols::default());
    if version != SbpfVersion::Reserved {
        let whole = &bytes[..bytes.len() / INSN_SIZE * INSN_SIZE];
        let again = assemble(&source, version).expect("disassembly reassembles");
        assert_eq!(again.text, whole, "round trip differs:\n{source}");
    }
});
