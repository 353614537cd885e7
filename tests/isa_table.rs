//! The instruction table and the version feature predicates against the reference.

use sbvm::isa::table::{lookup, Kind, TABLE};
use sbvm::isa::Insn;
use sbvm::isa::SbpfVersion::{self, *};

/// A slot with only its opcode set.
fn opcode_only(opcode: u8) -> Insn {
    Insn {
        opcode,
        ..Insn::default()
    }
}

#[test]
fn each_version_knows_exactly_the_reference_opcodes() {
    let data = include_str!("data/opcodes.txt");
    let mut versions_seen = 0;
    for line in data
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
    {
        let (version, opcodes) = line.split_once(':').unwrap();
        let version: SbpfVersion = version.parse().unwrap();
        let expected: Vec<u8> = opcodes
            .split_whitespace()
            .map(|hex| u8::from_str_radix(hex, 16).unwrap())
            .collect();
        let ours: Vec<u8> = (0..=255u8)
            .filter(|opcode| lookup(version, &opcode_only(*opcode)).is_some())
            .collect();
        assert_eq!(ours, expected, "{version}");
        versions_seen += 1;
    }
    assert_eq!(versions_seen, 5);
}

#[test]
fn reserved_knows_no_opcode() {
    assert!((0..=255u8).all(|opcode| lookup(Reserved, &opcode_only(opcode)).is_none()));
}

#[test]
fn feature_predicates_match_the_reference() {
    // Source: reference `SBPFVersion` predicates (solana-sbpf 0.26 program.rs), one row per
    // predicate, columns V0..V4.
    type Predicate = fn(SbpfVersion) -> bool;
    let rows: &[(&str, Predicate, [bool; 5])] = &[
        (
            "dynamic_stack_frames",
            SbpfVersion::dynamic_stack_frames,
            [false, true, true, false, false],
        ),
        (
            "stack_frame_gaps",
            SbpfVersion::stack_frame_gaps,
            [true, false, false, false, false],
        ),
        (
            "enable_pqr",
            SbpfVersion::enable_pqr,
            [false, false, true, false, false],
        ),
        (
            "explicit_sign_extension",
            SbpfVersion::explicit_sign_extension_of_results,
            [false, false, true, false, false],
        ),
        (
            "swap_sub_reg_imm_operands",
            SbpfVersion::swap_sub_reg_imm_operands,
            [false, false, true, false, false],
        ),
        (
            "disable_neg",
            SbpfVersion::disable_neg,
            [false, false, true, false, false],
        ),
        (
            "callx_uses_src_reg",
            SbpfVersion::callx_uses_src_reg,
            [false, false, true, false, false],
        ),
        (
            "disable_lddw",
            SbpfVersion::disable_lddw,
            [false, false, true, false, false],
        ),
        (
            "disable_le",
            SbpfVersion::disable_le,
            [false, false, true, false, false],
        ),
        (
            "move_memory_instruction_classes",
            SbpfVersion::move_memory_instruction_classes,
            [false, false, true, false, false],
        ),
        (
            "static_syscalls",
            SbpfVersion::static_syscalls,
            [false, false, false, true, true],
        ),
        (
            "enable_stricter_elf_headers",
            SbpfVersion::enable_stricter_elf_headers,
            [false, false, false, true, true],
        ),
        (
            "enable_lower_rodata_vaddr",
            SbpfVersion::enable_lower_rodata_vaddr,
            [false, false, false, true, true],
        ),
        (
            "enable_jmp32",
            SbpfVersion::enable_jmp32,
            [false, false, false, true, true],
        ),
        (
            "callx_uses_dst_reg",
            SbpfVersion::callx_uses_dst_reg,
            [false, false, false, true, true],
        ),
        // Issue #2 / reference Config: V4 always uses the aligned memory mapping.
        (
            "force_aligned_memory_mapping",
            SbpfVersion::force_aligned_memory_mapping,
            [false, false, false, false, true],
        ),
    ];
    for (name, predicate, expected) in rows {
        let got: Vec<bool> = SbpfVersion::ALL.iter().map(|v| predicate(*v)).collect();
        assert_eq!(got, expected, "{name}");
    }
}

#[test]
fn e_flags_name_the_versions() {
    let decoded: Vec<SbpfVersion> = (0..7).map(SbpfVersion::from_e_flags).collect();
    assert_eq!(decoded, [V0, V1, V2, V3, V4, Reserved, Reserved]);
    assert_eq!(SbpfVersion::from_e_flags(u32::MAX), Reserved);
    for version in SbpfVersion::ALL {
        assert_eq!(
            SbpfVersion::from_e_flags(version.e_flags().unwrap()),
            version
        );
        assert_eq!(version.name().parse::<SbpfVersion>(), Ok(version));
    }
    assert!("v5".parse::<SbpfVersion>().is_err());
}

#[test]
fn every_mnemonic_has_its_reference_spelling() {
    // The disassembler prints these names; the reference's disassembler spells 64-bit ALU ops
    // with the suffix and 64-bit jumps without it.
    for info in TABLE {
        match info.kind {
            Kind::Alu { width, .. } => assert!(
                info.mnemonic.ends_with(&width.bits().to_string()),
                "{}",
                info.mnemonic
            ),
            Kind::JumpIf { width, .. } => assert_eq!(
                info.mnemonic.ends_with("32"),
                width.bits() == 32,
                "{}",
                info.mnemonic
            ),
            _ => {}
        }
    }
}

#[test]
fn the_ebpf_dialect_answers_every_predicate() {
    // RFC 9669 / the Linux ABI: JMP32, static calls (helper id in imm, src 1 pc-relative),
    // callx names its register in dst, lddw/neg/le/mul/div/mod and the classic memory classes
    // exist, r10 is read-only (no dynamic frames), no gaps, no PQR class.
    type Predicate = fn(SbpfVersion) -> bool;
    let shared: &[(&str, Predicate, bool)] = &[
        (
            "dynamic_stack_frames",
            SbpfVersion::dynamic_stack_frames,
            false,
        ),
        ("stack_frame_gaps", SbpfVersion::stack_frame_gaps, false),
        ("enable_pqr", SbpfVersion::enable_pqr, false),
        (
            "explicit_sign_extension",
            SbpfVersion::explicit_sign_extension_of_results,
            false,
        ),
        ("swap_sub", SbpfVersion::swap_sub_reg_imm_operands, false),
        ("disable_neg", SbpfVersion::disable_neg, false),
        ("disable_lddw", SbpfVersion::disable_lddw, false),
        ("disable_le", SbpfVersion::disable_le, false),
        (
            "moved_memory",
            SbpfVersion::move_memory_instruction_classes,
            false,
        ),
        ("static_syscalls", SbpfVersion::static_syscalls, true),
        ("jmp32", SbpfVersion::enable_jmp32, true),
        ("callx_dst", SbpfVersion::callx_uses_dst_reg, true),
        (
            "zero_extend_alu32",
            SbpfVersion::zero_extend_alu32_results,
            true,
        ),
    ];
    for (name, predicate, expected) in shared {
        assert_eq!(predicate(Ebpf), *expected, "{name}");
    }
    // The dialect's own rules: on for eBPF, off in every SBPF version.
    let own: &[(&str, Predicate)] = &[
        ("linux_ebpf", SbpfVersion::linux_ebpf),
        ("total_division", SbpfVersion::total_division),
        (
            "masks_shift_immediates",
            SbpfVersion::masks_shift_immediates,
        ),
        ("callx_calls_helpers", SbpfVersion::callx_calls_helpers),
        (
            "calls_helpers_by_number",
            SbpfVersion::calls_helpers_by_number,
        ),
        ("has_pseudo_sources", SbpfVersion::has_pseudo_sources),
        (
            "must_not_fall_off_the_end",
            SbpfVersion::must_not_fall_off_the_end,
        ),
    ];
    for (name, predicate) in own {
        assert!(predicate(Ebpf), "{name}");
        assert!(SbpfVersion::ALL.iter().all(|v| !predicate(*v)), "{name}");
    }
    assert_eq!("ebpf".parse::<SbpfVersion>(), Ok(Ebpf));
    assert_eq!(Ebpf.e_flags(), None);
}
