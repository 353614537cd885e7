//! The verifier: the checks a text section must pass before it may run.
//!
//! [`verify`] applies exactly the rules the network applies (the reference's
//! `RequisiteVerifier`), in the same order, so a program is rejected with the same error kind
//! at the same instruction. Per slot, in order:
//!
//! 1. the opcode must have a row in the version's instruction table ([`crate::isa::table`]);
//! 2. the row's own rule: `lddw` needs a second slot with opcode 0; a division by an
//!    immediate needs a non-zero one; a shift by an immediate stays below the width; `le`/`be`
//!    take 16, 32 or 64; a jump lands inside the text and not on a slot with opcode 0; `callx`
//!    names r0–r9; `add64 r10, imm` (V1, V2) moves by a multiple of 64;
//! 3. registers: `src` at most r10; `dst` at most r9, or r10 for stores and (V1, V2) for
//!    `add64 r10, imm`. For an `lddw` this check reports the index of its second slot, as the
//!    reference does.
//!
//! Linux eBPF ([`SbpfVersion::Ebpf`]) keeps these structural rules and changes three: shift and
//! division immediates are not checked (the dialect masks shifts and defines division by
//! zero, as RFC 9669 §4.1 says and the bpf_conformance suite expects); an atomic must name a
//! known operation, and a fetching one may not write r10; an `lddw` or `call` must not carry a
//! pseudo source the loader should have resolved; and the last instruction must be `exit` or
//! an unconditional jump (the kernel's rule that control cannot run off the end).
//!
//! [`verify_for_deployment`] adds the checks the reference runs only when a program is
//! deployed (`LocalVerifier`, V3+): a `call` with `src = 0` names a registered syscall, and a
//! `call` with `src = 1` does not use the invalid offset -1.

mod error;

pub use error::VerifierError;

use crate::isa::insn::{jump_target, slot_count, Insn, INSN_SIZE};
use crate::isa::table::{AluOp, AtomicOp, Kind, Source, Width};
use crate::isa::version::SbpfVersion;
use crate::isa::walk::{instructions, Instruction};

/// The network's verification rules for `text` in `version`.
pub fn verify(text: &[u8], version: SbpfVersion) -> Result<(), VerifierError> {
    if text.len() % INSN_SIZE != 0 {
        return Err(VerifierError::ProgramLengthNotMultiple { len: text.len() });
    }
    if text.is_empty() {
        return Err(VerifierError::NoProgram);
    }
    let count = slot_count(text);
    let slot = |pc: usize| Insn::at(text, pc).unwrap_or_default();
    for Instruction {
        pc,
        insn,
        info,
        slots,
    } in instructions(text, version)
    {
        let info = info.ok_or(VerifierError::UnknownOpCode {
            opcode: insn.opcode,
            pc,
        })?;
        match info.kind {
            Kind::LoadImm64 | Kind::Call
                if version.has_pseudo_sources() && insn.src > kind_src_limit(info.kind) =>
            {
                return Err(VerifierError::UnresolvedPseudo { src: insn.src, pc });
            }
            _ => {}
        }
        match info.kind {
            Kind::LoadImm64 => {
                if pc + 1 >= count {
                    return Err(VerifierError::LDDWCannotBeLast { pc });
                }
                if slot(pc + 1).opcode != 0 {
                    return Err(VerifierError::IncompleteLDDW { pc });
                }
            }
            Kind::Alu {
                op,
                width,
                source: Source::Imm,
            } => check_alu_immediate(&insn, op, width, version, pc)?,
            Kind::Endian(_) => {
                if !matches!(insn.imm, 16 | 32 | 64) {
                    return Err(VerifierError::UnsupportedLEBEArgument { size: insn.imm, pc });
                }
            }
            Kind::Jump | Kind::JumpIf { .. } | Kind::JumpLong => {
                // An i16 or i32 offset from a slot index: the target fits an i64.
                let offset = info.kind.jump_offset(&insn).unwrap_or_default();
                let target = jump_target(pc, offset.into()) as i64;
                let landing = usize::try_from(target).ok().filter(|at| *at < count);
                let Some(landing) = landing else {
                    return Err(VerifierError::JumpOutOfCode { target, pc });
                };
                if slot(landing).opcode == 0 {
                    return Err(VerifierError::JumpToMiddleOfLDDW {
                        target: landing,
                        pc,
                    });
                }
            }
            Kind::CallReg => {
                if !(0..10).contains(&version.callx_register(&insn)) {
                    return Err(VerifierError::InvalidRegister { pc });
                }
            }
            Kind::Atomic(_) => match AtomicOp::from_imm(insn.imm) {
                None => {
                    return Err(VerifierError::InvalidAtomicOperation { imm: insn.imm, pc });
                }
                // A fetch writes its old value into `src` (`cmpxchg`: into r0).
                Some((op, true)) if op != AtomicOp::Cmpxchg && insn.src == 10 => {
                    return Err(VerifierError::CannotWriteR10 { pc });
                }
                Some(_) => {}
            },
            Kind::Alu {
                source: Source::Reg,
                ..
            }
            | Kind::Load(_)
            | Kind::LoadSigned(_)
            | Kind::Store(..)
            | Kind::Call
            | Kind::Exit => {}
        }
        if version.must_not_fall_off_the_end() && pc + slots >= count {
            let leaves = matches!(info.kind, Kind::Exit | Kind::Jump | Kind::JumpLong);
            if !leaves {
                return Err(VerifierError::NoExit { pc });
            }
        }
        // An lddw's register error names its second slot, as the reference's does.
        check_registers(&insn, info.kind, version, pc + slots - 1)?;
    }
    Ok(())
}

fn check_alu_immediate(
    insn: &Insn,
    op: AluOp,
    width: Width,
    version: SbpfVersion,
    pc: usize,
) -> Result<(), VerifierError> {
    if op.divides() && insn.imm == 0 && !version.total_division() {
        return Err(VerifierError::DivisionByZero { pc });
    }
    if op.shifts()
        && (insn.imm < 0 || insn.imm as u32 >= width.bits())
        && !version.masks_shift_immediates()
    {
        return Err(VerifierError::ShiftWithOverflow {
            shift: insn.imm64() as u64,
            bits: width.bits().into(),
            pc,
        });
    }
    if is_frame_bump(insn, op, width, version) && insn.imm % 64 != 0 {
        return Err(VerifierError::UnalignedImmediate { pc });
    }
    Ok(())
}

/// The largest `src` an eBPF `lddw` (0: a plain constant) or `call` (0: a helper, 1: a local
/// function) may carry; the others are pseudo sources a loader resolves (RFC 9669 §5.4, §4.3).
const fn kind_src_limit(kind: Kind) -> u8 {
    match kind {
        Kind::Call => 1,
        _ => 0,
    }
}

/// `add64 r10, imm` in a version with dynamic stack frames.
fn is_frame_bump(insn: &Insn, op: AluOp, width: Width, version: SbpfVersion) -> bool {
    version.dynamic_stack_frames() && op == AluOp::Add && width == Width::W64 && insn.dst == 10
}

fn check_registers(
    insn: &Insn,
    kind: Kind,
    version: SbpfVersion,
    pc: usize,
) -> Result<(), VerifierError> {
    if insn.src > 10 {
        return Err(VerifierError::InvalidSourceRegister {
            register: insn.src,
            pc,
        });
    }
    match insn.dst {
        0..=9 => Ok(()),
        10 if kind.is_store() => Ok(()),
        10 if matches!(kind, Kind::Alu { op, width, source: Source::Imm } if is_frame_bump(insn, op, width, version)) => {
            Ok(())
        }
        10 => Err(VerifierError::CannotWriteR10 { pc }),
        register => Err(VerifierError::InvalidDestinationRegister { register, pc }),
    }
}

/// [`verify`], then the deployment checks for V3+ (see the module docs). `is_syscall` says
/// whether a hash names a registered syscall.
pub fn verify_for_deployment(
    text: &[u8],
    version: SbpfVersion,
    is_syscall: impl Fn(u32) -> bool,
) -> Result<(), VerifierError> {
    verify(text, version)?;
    if !version.static_syscalls() {
        return Ok(());
    }
    for Instruction { pc, insn, info, .. } in instructions(text, version) {
        match info.map(|info| info.kind) {
            Some(Kind::Call) if insn.src == 0 && !is_syscall(insn.imm as u32) => {
                return Err(VerifierError::InvalidSyscall {
                    hash: insn.imm as u32,
                    pc,
                });
            }
            Some(Kind::Call) if insn.src == 1 && insn.imm == -1 => {
                return Err(VerifierError::InvalidFunction { pc });
            }
            _ => {}
        }
    }
    Ok(())
}
