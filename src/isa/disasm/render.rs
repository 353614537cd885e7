//! One instruction → its assembly text.

use crate::isa::insn::{lddw_value, Insn};
use crate::isa::table::{AluOp, ByteOrder, Kind, OpInfo, Source};
use crate::isa::version::{CallxRegister, SbpfVersion};

/// Where a branch or call goes, for labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A jump to this instruction index.
    Jump(i64),
    /// An internal call to this instruction index.
    Call(i64),
}

/// How the operand that names a target is written.
#[derive(Debug, Clone, Copy)]
pub struct TargetStyle<'a> {
    /// The target's label, if it has one.
    pub label: Option<&'a str>,
    /// Write the label as the operand (assembly); otherwise the raw number (listing, which adds
    /// `<label>` after the instruction).
    pub label_as_operand: bool,
}

/// The text of a decoded instruction, or `None` when it has no assembly form (the caller emits
/// a raw `.fill`). `second` is the following slot, for `lddw`.
pub fn instruction(
    info: &OpInfo,
    insn: &Insn,
    second: Option<&Insn>,
    version: SbpfVersion,
    syscall_name: impl Fn(u32) -> Option<String>,
    style: TargetStyle<'_>,
) -> Option<String> {
    let m = info.mnemonic;
    let (dst, src, off, imm) = (insn.dst, insn.src, insn.off, insn.imm);
    let target = |number: String| match style.label {
        Some(label) if style.label_as_operand => label.to_string(),
        _ => number,
    };
    Some(match info.kind {
        Kind::Alu { op: AluOp::Neg, .. } => format!("{m} r{dst}"),
        Kind::Alu {
            source: Source::Imm,
            ..
        } => format!("{m} r{dst}, {imm}"),
        Kind::Alu {
            source: Source::Reg,
            ..
        } => format!("{m} r{dst}, r{src}"),
        Kind::Endian(order) => {
            let prefix = match order {
                ByteOrder::Little => "le",
                ByteOrder::Big => "be",
            };
            if !matches!(imm, 16 | 32 | 64) {
                return None;
            }
            format!("{prefix}{imm} r{dst}")
        }
        Kind::LoadImm64 => format!("{m} r{dst}, {:#x}", lddw_value(insn, second?)),
        Kind::Load(_) => format!("{m} r{dst}, [r{src}{}]", signed(off.into())),
        Kind::Store(_, Source::Imm) => format!("{m} [r{dst}{}], {imm}", signed(off.into())),
        Kind::Store(_, Source::Reg) => format!("{m} [r{dst}{}], r{src}", signed(off.into())),
        Kind::Jump => format!("{m} {}", target(signed(off.into()))),
        Kind::JumpIf {
            source: Source::Imm,
            ..
        } => format!("{m} r{dst}, {imm}, {}", target(signed(off.into()))),
        Kind::JumpIf {
            source: Source::Reg,
            ..
        } => format!("{m} r{dst}, r{src}, {}", target(signed(off.into()))),
        Kind::Call => {
            let known_syscall = syscall_name(imm as u32);
            let internal = if version.static_syscalls() {
                src == 1
            } else {
                // Before V3 one immediate names either; a known syscall name wins, then a label.
                known_syscall.is_none() && style.label.is_some()
            };
            if internal {
                format!("call {}", target(imm.to_string()))
            } else {
                format!(
                    "syscall {}",
                    known_syscall.unwrap_or_else(|| imm.to_string())
                )
            }
        }
        Kind::CallReg => {
            let register = match version.callx_register_field() {
                CallxRegister::Imm => u8::try_from(imm).ok().filter(|r| *r < 16)?,
                CallxRegister::Src => src,
                CallxRegister::Dst => dst,
            };
            format!("{m} r{register}")
        }
        Kind::Exit => m.to_string(),
    })
}

/// The branch or call target an instruction names, if any.
pub fn target_of(info: &OpInfo, insn: &Insn, pc: usize, version: SbpfVersion) -> Option<Target> {
    let next = pc as i64 + 1;
    match info.kind {
        Kind::Jump | Kind::JumpIf { .. } => Some(Target::Jump(next + i64::from(insn.off))),
        Kind::Call if version.static_syscalls() => {
            (insn.src == 1).then(|| Target::Call(next + insn.imm64()))
        }
        // Before V3 the assembler's convention is that the immediate is the target's index.
        Kind::Call => Some(Target::Call(insn.imm64())),
        _ => None,
    }
}

/// `+8` / `-16`.
pub fn signed(value: i64) -> String {
    if value < 0 {
        format!("-{}", value.unsigned_abs())
    } else {
        format!("+{value}")
    }
}

/// A raw slot, exactly reassemblable.
pub fn fill(insn: &Insn) -> String {
    format!(".fill 1, {:#018x}", insn.to_u64())
}
