//! Properties of the instruction codec, assembler, disassembler and verifier on random input.
//! Seeds are printed; rerun one with `SBVM_SEED=N`, run more with `SBVM_SEEDS=N`.

mod common;

use common::gen::{code_like_bytes, valid_program};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::{disassemble, listing, Symbols};
use sbvm::isa::{SbpfVersion, INSN_SIZE};
use sbvm::verifier::verify;

#[test]
fn valid_streams_round_trip_through_the_disassembler() {
    for seed in common::seeds(40) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL.into_iter().chain([SbpfVersion::Ebpf]) {
            let text = valid_program(&mut rng, version, 200);
            verify(&text, version).unwrap_or_else(|e| {
                panic!("seed {seed} {version}: generator made an invalid program: {e}")
            });
            let source = disassemble(&text, version, &Symbols::default());
            let again = assemble(&source, version)
                .unwrap_or_else(|e| panic!("seed {seed} {version}: {e}\n{source}"));
            assert_eq!(again.text, text, "seed {seed} {version}:\n{source}");
        }
    }
}

#[test]
fn valid_streams_mostly_disassemble_to_instructions_not_raw_slots() {
    // The round trip could pass trivially if everything became `.fill`; it must not.
    let mut rng = StdRng::seed_from_u64(7);
    for version in SbpfVersion::ALL.into_iter().chain([SbpfVersion::Ebpf]) {
        let text = valid_program(&mut rng, version, 500);
        let source = disassemble(&text, version, &Symbols::default());
        let raw = source
            .lines()
            .filter(|line| line.trim_start().starts_with(".fill"))
            .count();
        assert!(
            raw < 150,
            "{version}: {raw} of ~500 instructions fell back to .fill"
        );
    }
}

#[test]
fn arbitrary_bytes_never_panic_and_whole_slots_round_trip() {
    for seed in common::seeds(300) {
        let mut rng = StdRng::seed_from_u64(seed);
        let bytes = code_like_bytes(&mut rng, 64);
        for version in SbpfVersion::ALL
            .into_iter()
            .chain([SbpfVersion::Ebpf, SbpfVersion::Reserved])
        {
            let _ = verify(&bytes, version);
            let _ = listing(&bytes, version, &Symbols::default());
            let source = disassemble(&bytes, version, &Symbols::default());
            if version == SbpfVersion::Reserved {
                continue;
            }
            let whole = &bytes[..bytes.len() / INSN_SIZE * INSN_SIZE];
            let again = assemble(&source, version)
                .unwrap_or_else(|e| panic!("seed {seed} {version}: {e}\n{source}"));
            assert_eq!(again.text, whole, "seed {seed} {version}:\n{source}");
        }
    }
}

#[test]
fn arbitrary_text_never_panics_the_assembler() {
    use rand::RngExt;
    const PIECES: &[&str] = &[
        "mov64",
        "r1",
        "r10",
        "r16",
        ",",
        " ",
        "[",
        "]",
        "+",
        "-",
        "0x",
        "ffffffffffffffffff",
        "7",
        "lddw",
        "jeq",
        "label",
        ":",
        "\n",
        "call",
        "callx",
        "syscall",
        ".fill",
        "#",
        "exit",
        "be16",
        "le",
        "ja",
        "é",
    ];
    for seed in common::seeds(300) {
        let mut rng = StdRng::seed_from_u64(seed);
        let source: String = (0..rng.random_range(0..40))
            .map(|_| PIECES[rng.random_range(0..PIECES.len())])
            .collect();
        for version in SbpfVersion::ALL {
            let _ = assemble(&source, version);
        }
    }
}

#[test]
fn verifier_agrees_with_the_live_reference_on_random_bytes() {
    let Some(oracle) = common::oracle() else {
        common::skip("SBVM_ORACLE not set; differential verifier check skipped");
        return;
    };
    for seed in common::seeds(200) {
        let mut rng = StdRng::seed_from_u64(seed);
        let bytes = code_like_bytes(&mut rng, 12);
        for version in SbpfVersion::ALL {
            let ours = verify(&bytes, version).map_err(|e| common::reference_debug(&e));
            let reference = common::oracle_verify(&oracle, &bytes, version);
            assert_eq!(ours, reference, "seed {seed} {version}: {bytes:02x?}");
        }
    }
}

#[test]
fn disassembly_is_valid_reference_assembly() {
    let Some(oracle) = common::oracle() else {
        common::skip("SBVM_ORACLE not set; reference-assembler check skipped");
        return;
    };
    for seed in common::seeds(40) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL {
            let text = valid_program(&mut rng, version, 100);
            let source = disassemble(&text, version, &Symbols::default());
            let reference =
                common::oracle_assemble(&oracle, &source, version).unwrap_or_else(|e| {
                    panic!("seed {seed} {version}: reference rejects our output: {e}\n{source}")
                });
            assert_eq!(reference, text, "seed {seed} {version}:\n{source}");
        }
    }
}
