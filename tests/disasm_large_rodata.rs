//! Disassembly takes time in proportion to the read-only data: a megabyte of it, text or a mix
//! of text, bytes, labels and pointers, disassembles in about the time the assembler takes to
//! read the result back, and round-trips to the same bytes.
//!
//! Each case assembles a program whose `.rodata` holds the data, writes and loads it as an ELF
//! file (the way `sbvm disasm` gets it), then times the disassembly alone. The bound is generous
//! for a debug build on a busy machine; a disassembler that rescans the rest of the data on
//! every line (quadratic) takes minutes for a megabyte.

mod common;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sbvm::elf::{load_text, write_elf};
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::disassemble;
use sbvm::isa::SbpfVersion;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// How much read-only data each case carries.
const DATA_BYTES: usize = 1 << 20;

/// The longest a megabyte may take to disassemble (debug build, self-check included).
const TIME_LIMIT: Duration = Duration::from_secs(10);

/// A program that loads the address of `first_label` and exits, then `data` as its `.rodata`.
fn program_with_data(first_label: &str, data: &str) -> String {
    format!("lddw r1, {first_label}\nmov64 r0, 0\nexit\n.rodata\n{data}")
}

/// Assembles `source`, writes and loads it, disassembles it (timed) and checks that the
/// disassembly writes an ELF file with the same read-only data.
fn check_fast_and_exact(source: &str, version: SbpfVersion) {
    let assembled = assemble(source, version).expect("the generated source assembles");
    assert!(
        assembled.rodata.len() >= DATA_BYTES,
        "only {} bytes of data",
        assembled.rodata.len()
    );
    let elf = write_elf(&assembled).expect("the writer takes it");
    let original = load_text(&elf).expect("the loader takes it");

    let started = Instant::now();
    let again_source = disassemble(&original.text, original.version, &original.symbols());
    let took = started.elapsed();
    assert!(
        took < TIME_LIMIT,
        "{version}: {} bytes of read-only data took {took:?} to disassemble",
        assembled.rodata.len()
    );

    let again = assemble(&again_source, version).expect("the disassembly assembles");
    // Reference: the original file as the loader maps it.
    let again = load_text(&write_elf(&again).expect("written")).expect("loaded");
    assert_eq!(again.text, original.text, "{version}: the text differs");
    assert!(
        again.rodata == original.rodata,
        "{version}: the read-only data differs"
    );
    eprintln!(
        "{version}: {} bytes disassembled in {took:?}",
        assembled.rodata.len()
    );
}

#[test]
fn a_megabyte_of_text_disassembles_quickly_and_exactly() {
    // One run of printable bytes with no label or pointer inside: the case that made each
    // `.ascii` line scan the whole rest of the run.
    let mut data = String::from("start:\n");
    let line: String = (0..100)
        .map(|i| char::from(b' ' + (i % 95) as u8))
        .collect();
    let escaped = line.replace('\\', "\\\\").replace('"', "\\\"");
    for _ in 0..DATA_BYTES.div_ceil(line.len()) {
        let _ = writeln!(data, ".ascii \"{escaped}\"");
    }
    let source = program_with_data("start", &data);
    check_fast_and_exact(&source, SbpfVersion::V0);
    check_fast_and_exact(&source, SbpfVersion::V3);
}

#[test]
fn a_megabyte_of_mixed_data_disassembles_quickly_and_exactly() {
    for seed in common::seeds(1) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut data = String::new();
        let mut written = 0;
        let mut labels = 0;
        while written < DATA_BYTES {
            match rng.random_range(0..10) {
                // A label, and a pointer to it.
                0 => {
                    let _ = writeln!(data, "label_{labels}:\n.quad label_{labels}");
                    labels += 1;
                    written += 8;
                }
                // A long run of text after a byte that is none: the `.byte` line before it
                // must not look through the whole run for where it starts.
                1 => {
                    let len = rng.random_range(1..20_000);
                    let run: String = (0..len)
                        .map(|_| char::from(rng.random_range(b' '..=b'~')))
                        .collect();
                    let run = run.replace('\\', "\\\\").replace('"', "\\\"");
                    let _ = writeln!(data, ".byte 0\n.ascii \"{run}\"");
                    written += 1 + len;
                }
                // A run of printable bytes, short.
                2..=4 => {
                    let len = rng.random_range(1..300);
                    let run: String = (0..len)
                        .map(|_| char::from(rng.random_range(b'a'..=b'z')))
                        .collect();
                    let _ = writeln!(data, ".ascii \"{run}\"");
                    written += len;
                }
                // Any bytes, printable ones included.
                _ => {
                    let len = rng.random_range(1..200);
                    let bytes: Vec<String> =
                        (0..len).map(|_| rng.random::<u8>().to_string()).collect();
                    let _ = writeln!(data, ".byte {}", bytes.join(", "));
                    written += len;
                }
            }
        }
        let source = program_with_data("first", &format!("first:\n{data}"));
        check_fast_and_exact(&source, SbpfVersion::V0);
        check_fast_and_exact(&source, SbpfVersion::V3);
    }
}
