//! One case per verifier error kind per version where it applies, plus the check-order quirks
//! of the reference. Expected values: reference (solana-sbpf 0.26 `RequisiteVerifier`, obtained
//! with `oracle run --raw`); with `SBVM_ORACLE=path/to/oracle` every case is also re-asked live.
//! The deployment checks (InvalidFunction, InvalidSyscall) are not reachable through the oracle;
//! their expectations come from the reference's `LocalVerifier` rules (V3+ only).

mod common;

use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion::{self, V0, V1, V2, V3, V4};
use sbvm::verifier::{verify, verify_for_deployment};

enum Text {
    Asm(&'static str),
    Bytes(&'static [u8]),
}

struct Case {
    name: &'static str,
    text: Text,
    /// (versions, expected: "ok" or the reference's Debug rendering).
    expect: &'static [(&'static [SbpfVersion], &'static str)],
}

const ALL: &[SbpfVersion] = &[V0, V1, V2, V3, V4];
const NOT_V2: &[SbpfVersion] = &[V0, V1, V3, V4];

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { name: "program_length_not_multiple", text: Text::Bytes(&[0x95, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0]),
           expect: &[(ALL, "ProgramLengthNotMultiple")] },
    Case { name: "no_program", text: Text::Bytes(&[]), expect: &[(ALL, "NoProgram")] },
    Case { name: "div64_by_zero", text: Text::Asm("mov64 r0, 1\ndiv64 r0, 0\nexit"),
           expect: &[(NOT_V2, "DivisionByZero(1)"), (&[V2], "ok")] }, // 0x37 is `sth` in V2
    Case { name: "mod32_by_zero", text: Text::Asm("mod32 r0, 0\nexit"),
           expect: &[(NOT_V2, "DivisionByZero(0)"), (&[V2], "UnknownOpCode(148, 0)")] },
    Case { name: "udiv64_by_zero", text: Text::Asm("udiv64 r0, 0\nexit"),
           expect: &[(&[V2], "DivisionByZero(0)"), (&[V0, V1], "UnknownOpCode(86, 0)"), (&[V3, V4], "ok")] }, // 0x56 is `jne32` in V3+
    Case { name: "srem32_by_zero", text: Text::Asm("exit\nsrem32 r3, 0\nexit"),
           expect: &[(&[V2], "DivisionByZero(1)"), (&[V0, V1, V3, V4], "UnknownOpCode(230, 1)")] },
    Case { name: "be_size_8", text: Text::Asm(".fill 1, 0x00000008000001dc\nexit"),
           expect: &[(ALL, "UnsupportedLEBEArgument(0)")] },
    Case { name: "le_size_0", text: Text::Asm("exit\n.fill 1, 0x00000000000001d4"),
           expect: &[(NOT_V2, "UnsupportedLEBEArgument(1)"), (&[V2], "UnknownOpCode(212, 1)")] },
    Case { name: "lddw_last", text: Text::Asm("mov64 r0, 0\n.fill 1, 0x18"),
           expect: &[(NOT_V2, "LDDWCannotBeLast"), (&[V2], "UnknownOpCode(24, 1)")] },
    Case { name: "lddw_incomplete", text: Text::Asm(".fill 1, 0x18\nexit"),
           expect: &[(NOT_V2, "IncompleteLDDW(0)"), (&[V2], "UnknownOpCode(24, 0)")] },
    Case { name: "ja_past_end", text: Text::Asm("ja +5\nexit"), expect: &[(ALL, "JumpOutOfCode(6, 0)")] },
    Case { name: "jeq_before_start", text: Text::Asm("exit\njeq r1, 0, -3"),
           expect: &[(ALL, "JumpOutOfCode(18446744073709551615, 1)")] },
    Case { name: "jne32_past_end", text: Text::Asm("jne32 r1, r2, +1"),
           expect: &[(&[V3, V4], "JumpOutOfCode(2, 0)"), (&[V0, V1], "UnknownOpCode(94, 0)"), (&[V2], "ok")] }, // 0x5e is `udiv64` in V2
    Case { name: "jump_into_lddw", text: Text::Asm("ja +1\nlddw r0, 1\nexit"),
           expect: &[(ALL, "JumpToMiddleOfLDDW(2, 0)")] },
    Case { name: "source_r11", text: Text::Asm("mov64 r0, r11\nexit"), expect: &[(ALL, "InvalidSourceRegister(0)")] },
    Case { name: "exit_with_source_r15", text: Text::Asm(".fill 1, 0xf095"), expect: &[(ALL, "InvalidSourceRegister(0)")] },
    Case { name: "mov_to_r10", text: Text::Asm("mov64 r10, 1\nexit"), expect: &[(ALL, "CannotWriteR10(0)")] },
    Case { name: "exit_with_dst_r10", text: Text::Asm(".fill 1, 0x0a95"), expect: &[(ALL, "CannotWriteR10(0)")] },
    Case { name: "lddw_into_r10", text: Text::Asm("lddw r10, 5\nexit"),
           expect: &[(NOT_V2, "CannotWriteR10(1)"), (&[V2], "UnknownOpCode(24, 0)")] },
    Case { name: "frame_bump_64", text: Text::Asm(".fill 1, 0x0000004000000a07\nexit"),
           expect: &[(&[V1, V2], "ok"), (&[V0, V3, V4], "CannotWriteR10(0)")] },
    Case { name: "frame_bump_unaligned", text: Text::Asm(".fill 1, 0x0000003f00000a07\nexit"),
           expect: &[(&[V1, V2], "UnalignedImmediate(0)"), (&[V0, V3, V4], "CannotWriteR10(0)")] },
    Case { name: "store_through_r10", text: Text::Asm("stxdw [r10-8], r1\nstdw [r10-16], 7\nexit"), expect: &[(ALL, "ok")] },
    Case { name: "dst_r11", text: Text::Asm("mov64 r11, 1\nexit"), expect: &[(ALL, "InvalidDestinationRegister(0)")] },
    Case { name: "jump_dst_r12", text: Text::Asm("jeq r12, 0, +0\nexit"), expect: &[(ALL, "InvalidDestinationRegister(0)")] },
    Case { name: "opcode_0x06", text: Text::Asm(".fill 1, 0x06\nexit"), expect: &[(ALL, "UnknownOpCode(6, 0)")] },
    Case { name: "opcode_0x00", text: Text::Asm("exit\n.fill 1, 0"), expect: &[(ALL, "UnknownOpCode(0, 1)")] },
    Case { name: "hor64", text: Text::Asm("hor64 r1, 1\nexit"),
           expect: &[(&[V2], "ok"), (NOT_V2, "UnknownOpCode(247, 0)")] },
    // In V2 opcode 0x87 is `stw [r1+0], 0`, which verifies too.
    Case { name: "neg64", text: Text::Asm("neg64 r1\nexit"), expect: &[(ALL, "ok")] },
    Case { name: "lsh64_by_64", text: Text::Asm("lsh64 r1, 64\nexit"), expect: &[(ALL, "ShiftWithOverflow(64, 64, 0)")] },
    Case { name: "rsh32_by_32", text: Text::Asm("rsh32 r1, 32\nexit"), expect: &[(ALL, "ShiftWithOverflow(32, 32, 0)")] },
    Case { name: "arsh64_by_minus_1", text: Text::Asm("arsh64 r1, -1\nexit"),
           expect: &[(ALL, "ShiftWithOverflow(18446744073709551615, 64, 0)")] },
    Case { name: "callx_r10", text: Text::Asm("callx r10\nexit"), expect: &[(ALL, "InvalidRegister(0)")] },
    Case { name: "callx_r9", text: Text::Asm("callx r9\nexit"), expect: &[(ALL, "ok")] },
    Case { name: "callx_imm_minus_1_v0", text: Text::Asm(".fill 1, 0xffffffff0000008d\nexit"),
           expect: &[(&[V0, V1], "InvalidRegister(0)"), (&[V2, V3, V4], "ok")] },
];

fn text_of(case: &Case, version: SbpfVersion) -> Vec<u8> {
    match case.text {
        Text::Asm(source) => {
            assemble(source, version)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name))
                .text
        }
        Text::Bytes(bytes) => bytes.to_vec(),
    }
}

#[test]
fn every_error_kind_at_every_version() {
    let oracle = common::oracle();
    if oracle.is_none() {
        common::skip(
            "SBVM_ORACLE not set; checking the recorded reference verdicts only, not the live reference",
        );
    }
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for case in CASES {
        let mut covered = Vec::new();
        for (versions, expected) in case.expect {
            for &version in *versions {
                covered.push(version);
                let text = text_of(case, version);
                let got = match verify(&text, version) {
                    Ok(()) => "ok".to_string(),
                    Err(error) => common::reference_debug(&error),
                };
                if let Some(oracle) = &oracle {
                    let reference = common::oracle_verify(oracle, &text, version)
                        .err()
                        .unwrap_or_else(|| "ok".into());
                    assert_eq!(
                        got, reference,
                        "{} at {version}: sbvm vs live reference",
                        case.name
                    );
                }
                if got != *expected {
                    mismatches.push(format!(
                        "{} at {version}: sbvm says {got}, recorded {expected}",
                        case.name
                    ));
                }
                checked += 1;
            }
        }
        covered.sort();
        assert_eq!(
            covered, ALL,
            "{}: every version has an expectation",
            case.name
        );
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(checked >= 150);
}

#[test]
fn deployment_checks_for_static_syscalls() {
    // Reference LocalVerifier rules: V3+ only; src=0 must name a registered syscall, src=1 must
    // not use offset -1.
    let known = |hash: u32| hash == sbvm::isa::hash::symbol_hash("sol_log_");
    for version in [V3, V4] {
        let ok = assemble("syscall sol_log_\nexit", version).unwrap().text;
        assert_eq!(verify_for_deployment(&ok, version, known), Ok(()));
        let unknown = assemble("mov64 r0, 0\nsyscall not_registered\nexit", version)
            .unwrap()
            .text;
        let error = verify_for_deployment(&unknown, version, known).unwrap_err();
        assert_eq!(error.kind_name(), "InvalidSyscall");
        assert_eq!(error.pc(), Some(1));
        let self_call = assemble("exit\ncall -1\nexit", version).unwrap().text;
        assert_eq!(
            verify(&self_call, version),
            Ok(()),
            "the network's rules accept it"
        );
        let error = verify_for_deployment(&self_call, version, known).unwrap_err();
        assert_eq!(
            (error.kind_name(), error.pc()),
            ("InvalidFunction", Some(1))
        );
    }
    for version in [V0, V1, V2] {
        let unknown = assemble("syscall not_registered\nexit", version)
            .unwrap()
            .text;
        assert_eq!(
            verify_for_deployment(&unknown, version, known),
            Ok(()),
            "no deployment checks before V3"
        );
    }
}
