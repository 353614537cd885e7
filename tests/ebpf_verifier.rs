//! The verifier's rules for Linux eBPF: one rejected program per rule, and the programs the
//! dialect accepts where SBPF rejects them. Rules: RFC 9669 (encodings, shift masking and
//! total division in §4.1, atomics in §5.3, pseudo sources in §4.3.1 and §5.4) and the
//! kernel's structural checks (no fall-through past the last instruction, r10 read-only).

use sbvm::isa::asm::assemble;
use sbvm::isa::{Insn, SbpfVersion};
use sbvm::verifier::{verify, VerifierError};

fn text(source: &str) -> Vec<u8> {
    assemble(source, SbpfVersion::Ebpf)
        .unwrap_or_else(|e| panic!("{e}\n{source}"))
        .text
}

fn slots(insns: &[Insn]) -> Vec<u8> {
    insns.iter().flat_map(Insn::encode).collect()
}

fn insn(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        opcode,
        dst,
        src,
        off,
        imm,
    }
}

const EXIT: Insn = Insn {
    opcode: 0x95,
    dst: 0,
    src: 0,
    off: 0,
    imm: 0,
};

fn rejected(text: &[u8]) -> VerifierError {
    verify(text, SbpfVersion::Ebpf).expect_err("the verifier accepts it")
}

#[test]
fn shift_and_division_immediates_are_defined_not_rejected() {
    for source in [
        "lsh64 r0, 64\nexit",
        "rsh32 r0, 33\nexit",
        "div64 r0, 0\nexit",
        "mod32 r0, 0\nexit",
    ] {
        let text = text(source);
        assert_eq!(verify(&text, SbpfVersion::Ebpf), Ok(()), "{source}");
        assert!(
            verify(&text, SbpfVersion::V3).is_err(),
            "SBPF rejects {source}"
        );
    }
}

#[test]
fn an_unknown_opcode_is_rejected() {
    // 0x8e is V2's lmul32 (PQR class): no eBPF instruction.
    let error = rejected(&slots(&[insn(0x8e, 0, 1, 0, 0), EXIT]));
    assert_eq!(
        error,
        VerifierError::UnknownOpCode {
            opcode: 0x8e,
            pc: 0
        }
    );
}

#[test]
fn jumps_out_of_the_program_or_into_an_lddw_are_rejected() {
    let long = rejected(&slots(&[insn(0x06, 0, 0, 0, 5), EXIT]));
    assert_eq!(long, VerifierError::JumpOutOfCode { target: 6, pc: 0 });
    let into = rejected(&text("ja +1\nlddw r0, 0x1122334455667788\nexit"));
    assert_eq!(into, VerifierError::JumpToMiddleOfLDDW { target: 2, pc: 0 });
}

#[test]
fn registers_beyond_r10_and_writes_to_r10_are_rejected() {
    let source = rejected(&slots(&[insn(0xbf, 0, 11, 0, 0), EXIT]));
    assert_eq!(
        source,
        VerifierError::InvalidSourceRegister {
            register: 11,
            pc: 0
        }
    );
    let write = rejected(&slots(&[insn(0xb7, 10, 0, 0, 1), EXIT]));
    assert_eq!(write, VerifierError::CannotWriteR10 { pc: 0 });
    // A fetching atomic writes its source register.
    let fetch = rejected(&text("lock_fetch_add64 [r1+0], r10\nexit"));
    assert_eq!(fetch, VerifierError::CannotWriteR10 { pc: 0 });
    // A store through r10 is fine, and so is a non-fetching atomic reading r10.
    assert_eq!(
        verify(
            &text("stdw [r10-8], 1\nlock_add64 [r1+0], r10\nexit"),
            SbpfVersion::Ebpf
        ),
        Ok(())
    );
}

#[test]
fn a_program_must_not_fall_off_its_end() {
    assert_eq!(
        rejected(&text("mov64 r0, 0")),
        VerifierError::NoExit { pc: 0 }
    );
    assert_eq!(
        rejected(&text("mov64 r0, 0\njeq r0, 0, -2")),
        VerifierError::NoExit { pc: 1 }
    );
    // An unconditional jump back is a way to end, as the kernel accepts.
    assert_eq!(verify(&text("exit\nja -2"), SbpfVersion::Ebpf), Ok(()));
}

#[test]
fn unknown_atomic_operations_are_rejected() {
    // 0x10 is ALU `sub`: no atomic.
    let error = rejected(&slots(&[insn(0xdb, 1, 2, 0, 0x10), EXIT]));
    assert_eq!(
        error,
        VerifierError::InvalidAtomicOperation { imm: 0x10, pc: 0 }
    );
}

#[test]
fn pseudo_sources_must_arrive_resolved() {
    // lddw with src 1 (a map by file descriptor) and a call with src 2 (a BTF function id).
    let lddw = rejected(&slots(&[insn(0x18, 1, 1, 0, 3), insn(0, 0, 0, 0, 0), EXIT]));
    assert_eq!(lddw, VerifierError::UnresolvedPseudo { src: 1, pc: 0 });
    let call = rejected(&slots(&[insn(0x85, 0, 2, 0, 7), EXIT]));
    assert_eq!(call, VerifierError::UnresolvedPseudo { src: 2, pc: 0 });
}

#[test]
fn the_dialects_own_rows_do_not_exist_in_sbpf() {
    for source in [
        "ldxsw r0, [r1+0]",
        "bswap16 r0",
        "lock_add64 [r1+0], r2",
        "sdiv64 r0, 3",
        "movsx832 r0, r1",
    ] {
        let text = text(&format!("{source}\nexit"));
        assert_eq!(verify(&text, SbpfVersion::Ebpf), Ok(()), "{source}");
        for version in SbpfVersion::ALL {
            let plain = verify(&text, version).is_ok();
            let opcode = text[0];
            // sdiv/movsx share their opcode with div/mov: in SBPF they verify as those.
            let shared = matches!(opcode, 0x37 | 0xbc);
            assert!(!plain || shared, "{version} accepts {source}");
        }
    }
}
