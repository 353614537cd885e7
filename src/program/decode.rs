//! Pre-decoding: the text, read through the instruction table once at load time, becomes one
//! [`Op`] per slot. The version's differences are resolved here, and V2's aliases fold away:
//! `lmul`, `udiv` and `urem` decode to the codes of `mul`, `div` and `mod`, their immediates
//! zero-extended where the operation is unsigned.

use super::lookup::Access;
use super::ops::{Arith, Extension, Width};
use super::{run_lengths, Code, DecodedProgram, Op};
use crate::isa::insn::{jump_target, lddw_value};
use crate::isa::table::{AluOp, AtomicOp, ByteOrder, Kind, MemSize, Source, Width as IsaWidth};
use crate::isa::walk::instructions;
use crate::isa::{Insn, SbpfVersion};

/// Which syscall a hash names: the index the engines call it by.
pub trait SyscallIndex {
    /// The index of the syscall registered under `hash`, if any.
    fn syscall_index(&self, hash: u32) -> Option<usize>;
}

/// Where a function registered under a key starts (dynamic calls, before V3).
pub trait FunctionIndex {
    /// The instruction index of the function registered under `key`, if any.
    fn function_pc(&self, key: u32) -> Option<usize>;
}

/// Decodes a verified text section.
pub fn decode_program(
    text: &[u8],
    version: SbpfVersion,
    functions: &impl FunctionIndex,
    syscalls: &impl SyscallIndex,
) -> DecodedProgram {
    let count = text.len() / 8;
    let mut ops = vec![Op::UNSUPPORTED; count];
    for instruction in instructions(text, version) {
        let Some(info) = instruction.info else {
            continue;
        };
        let (pc, insn) = (instruction.pc, instruction.insn);
        let mut op = Op {
            imm: insn.imm64() as u64,
            aux: 0,
            code: Code::Unsupported,
            dst: insn.dst & 0x0f,
            src: insn.src & 0x0f,
        };
        match info.kind {
            Kind::Alu {
                op: alu,
                width,
                source,
            } => {
                op.code = with_source(alu_code(alu, width, source, version), source);
                let zero_extended_imm = matches!(alu, AluOp::Udiv | AluOp::Urem | AluOp::Uhmul)
                    && width == IsaWidth::W64;
                if zero_extended_imm {
                    op.imm = insn.imm as u32 as u64;
                }
                if alu == AluOp::Hor {
                    op.imm = (insn.imm64() as u64) << 32;
                }
            }
            Kind::Endian(order) => {
                let arith = match order {
                    ByteOrder::Little => Arith::LittleEndian,
                    ByteOrder::Big | ByteOrder::Swap => Arith::BigEndian,
                };
                op.code = match insn.imm {
                    16 => Code::alu(arith, Width::W16, Extension::Zero, false),
                    32 => Code::alu(arith, Width::W32, Extension::Zero, false),
                    64 => Code::alu(arith, Width::W64, Extension::Full, false),
                    _ => Code::BadSwap,
                }
            }
            Kind::LoadImm64 => {
                let high = Insn::at(text, super::next_pc(pc, 1)).unwrap_or_default();
                op.code = Code::LoadImm64;
                op.imm = lddw_value(&insn, &high);
            }
            Kind::Load(size) => {
                op.code = Code::memory(Access::Load, access_width(size));
                op.aux = i32::from(insn.off) as u32;
            }
            Kind::LoadSigned(size) => {
                op.code = Code::memory(Access::LoadSigned, access_width(size));
                op.aux = i32::from(insn.off) as u32;
            }
            Kind::Store(size, source) => {
                op.code = with_source(Code::memory(Access::Store, access_width(size)), source);
                op.aux = i32::from(insn.off) as u32;
            }
            Kind::Atomic(size) => {
                op.code = match AtomicOp::from_imm(insn.imm) {
                    Some((atomic, fetch)) => Code::atomic(atomic, fetch, access_width(size)),
                    None => Code::Unsupported,
                };
                op.aux = i32::from(insn.off) as u32;
            }
            Kind::Jump => {
                op.code = Code::Ja;
                op.aux = jump_aux(pc, insn.off.into());
            }
            Kind::JumpLong => {
                op.code = Code::Ja;
                op.aux = jump_aux(pc, insn.imm);
            }
            Kind::JumpIf {
                cond,
                width,
                source,
            } => {
                op.code = with_source(Code::branch(cond, width_of(width)), source);
                op.aux = jump_aux(pc, insn.off.into());
            }
            Kind::Call => resolve_call(&mut op, &insn, pc, count, version, functions, syscalls),
            Kind::CallReg => {
                // eBPF's `callx` calls the helper whose id the register holds.
                op.code = if version.callx_calls_helpers() {
                    Code::CallSyscallReg
                } else {
                    Code::CallReg
                };
                op.src = u8::try_from(version.callx_register(&insn)).map_or(15, |r| r.min(15));
            }
            Kind::Exit => op.code = Code::Exit,
        }
        ops[pc] = op;
    }
    let runs = run_lengths(&ops);
    DecodedProgram { ops, runs }
}

/// The target of a jump at `pc`; a target outside the text (impossible once verified)
/// becomes an index past the end, which stops execution with ExecutionOverrun as the
/// reference would.
fn jump_aux(pc: usize, offset: i32) -> u32 {
    u32::try_from(jump_target(pc, offset.into())).unwrap_or(u32::MAX)
}

fn resolve_call(
    op: &mut Op,
    insn: &Insn,
    pc: usize,
    count: usize,
    version: SbpfVersion,
    functions: &impl FunctionIndex,
    syscalls: &impl SyscallIndex,
) {
    let key = insn.imm as u32;
    let syscall = if !version.static_syscalls() || insn.src == 0 {
        syscalls.syscall_index(key)
    } else {
        None
    };
    let internal = if version.static_syscalls() {
        let target = jump_target(pc, insn.imm.into());
        (insn.src == 1 && (0..count as i128).contains(&target)).then_some(target as usize)
    } else {
        functions.function_pc(key)
    };
    let target = internal.map(|target| u32::try_from(target).unwrap_or(u32::MAX));
    match (syscall, target) {
        (Some(index), None) => {
            op.code = Code::CallSyscall;
            op.aux = index as u32;
        }
        (None, Some(target)) => {
            op.code = Code::CallInternal;
            op.aux = target;
        }
        (Some(index), Some(target)) => {
            op.code = Code::CallSyscallThenInternal;
            op.imm = index as u64;
            op.aux = target;
        }
        (None, None) => op.code = Code::CallUnresolved,
    }
}

/// The row's code, or its immediate twin when the operand is the immediate.
fn with_source(code: Code, source: Source) -> Code {
    match source {
        Source::Imm => code.with_immediate(),
        Source::Reg => code,
    }
}

fn width_of(width: IsaWidth) -> Width {
    match width {
        IsaWidth::W32 => Width::W32,
        IsaWidth::W64 => Width::W64,
    }
}

fn access_width(size: MemSize) -> Width {
    match size {
        MemSize::B1 => Width::W8,
        MemSize::B2 => Width::W16,
        MemSize::B4 => Width::W32,
        MemSize::B8 => Width::W64,
    }
}

/// The code of an arithmetic or logic instruction (its register form): the table's operation
/// folded onto the op list's, with the version's rules for 32-bit results, V2's `sub` and
/// eBPF's total division.
fn alu_code(op: AluOp, width: IsaWidth, source: Source, version: SbpfVersion) -> Code {
    let zext = version.zero_extend_alu32_results();
    let mov_sext = version.explicit_sign_extension_of_results();
    let swap = version.swap_sub_reg_imm_operands() && source == Source::Imm;
    let arith = match op {
        AluOp::Add => Arith::Add,
        AluOp::Sub if swap => Arith::SubRev,
        AluOp::Sub => Arith::Sub,
        AluOp::Mul | AluOp::Lmul => Arith::Mul,
        AluOp::Div | AluOp::Udiv => Arith::Div,
        AluOp::Mod | AluOp::Urem => Arith::Rem,
        AluOp::Sdiv => Arith::Sdiv,
        AluOp::Srem => Arith::Srem,
        AluOp::Uhmul => Arith::Uhmul,
        AluOp::Shmul => Arith::Shmul,
        AluOp::Or => Arith::Or,
        AluOp::And => Arith::And,
        AluOp::Xor => Arith::Xor,
        AluOp::Lsh => Arith::Lsh,
        AluOp::Rsh => Arith::Rsh,
        AluOp::Arsh => Arith::Arsh,
        AluOp::Mov => Arith::Mov,
        AluOp::Neg => Arith::Neg,
        AluOp::Hor => Arith::Hor,
        AluOp::MovSext8 => Arith::MovSext8,
        AluOp::MovSext16 => Arith::MovSext16,
        AluOp::MovSext32 => Arith::MovSext32,
    };
    // `hor`, `uhmul` and `shmul` are 64-bit whatever the class says.
    let wide = width == IsaWidth::W64 || matches!(op, AluOp::Hor | AluOp::Uhmul | AluOp::Shmul);
    let extension = if wide {
        Extension::Full
    } else {
        match op {
            AluOp::Add | AluOp::Sub if !zext && !swap => Extension::Sign,
            AluOp::Mul if !zext => Extension::Sign,
            AluOp::Mov if mov_sext && source == Source::Reg => Extension::Sign,
            _ => Extension::Zero,
        }
    };
    let width = if wide { Width::W64 } else { Width::W32 };
    Code::alu(arith, width, extension, version.total_division())
}
