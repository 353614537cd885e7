//! One instruction → its assembly text.

use super::callee::Callee;
use crate::isa::hash::function_key;
use crate::isa::insn::{self, lddw_value, Insn};
use crate::isa::syscall_names::is_known_syscall;
use crate::isa::table::{AluOp, AtomicOp, ByteOrder, Kind, OpInfo, Source};
use crate::isa::version::SbpfVersion;

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
/// a raw `.fill`). `second` is the following slot, for `lddw`; `callee` what a call calls.
pub fn instruction(
    info: &OpInfo,
    insn: &Insn,
    second: Option<&Insn>,
    version: SbpfVersion,
    callee: Option<&Callee>,
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
                ByteOrder::Swap => "bswap",
            };
            if !matches!(imm, 16 | 32 | 64) {
                return None;
            }
            format!("{prefix}{imm} r{dst}")
        }
        Kind::LoadImm64 => {
            let value = lddw_value(insn, second?);
            format!("{m} r{dst}, {}", target(format!("{value:#x}")))
        }
        Kind::Load(_) | Kind::LoadSigned(_) => {
            format!("{m} r{dst}, [r{src}{}]", signed(off.into()))
        }
        Kind::Atomic(size) => {
            let (op, fetch) = AtomicOp::from_imm(imm)?;
            let name = atomic_mnemonic(op, fetch, size.bytes() * 8);
            format!("{name} [r{dst}{}], r{src}", signed(off.into()))
        }
        Kind::JumpLong => format!("{m} {}", target(signed(imm.into()))),
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
        Kind::Call => call(callee?, insn, version, style)?,
        Kind::CallReg => {
            let register = u8::try_from(version.callx_register(insn))
                .ok()
                .filter(|r| *r < 16)?;
            format!("{m} r{register}")
        }
        Kind::Exit => m.to_string(),
    })
}

/// A call, as the table in [`super::callee`] writes it; `None` for LLVM's call to nothing known.
fn call(
    callee: &Callee,
    insn: &Insn,
    version: SbpfVersion,
    style: TargetStyle<'_>,
) -> Option<String> {
    let imm = insn.imm;
    // Before V3, LLVM marks its calls with src = 1 and the loader fills in hashes and keys.
    let relocated = !version.static_syscalls() && insn.src == 1;
    let operand = |number: String| match style.label {
        Some(label) if style.label_as_operand => label.to_string(),
        _ => number,
    };
    if version.calls_helpers_by_number() {
        // A helper by its id; a local function by its label (a number would read as a helper).
        return match callee {
            Callee::Syscall(_) | Callee::Unknown if insn.src == 0 => Some(format!("call {imm}")),
            Callee::Function(_) => style.label.map(|label| match style.label_as_operand {
                true => format!("call {label}"),
                false => format!("call {imm}"),
            }),
            _ => None,
        };
    }
    Some(match callee {
        Callee::Syscall(name) if is_assembler_name(name) => {
            if !relocated {
                format!("syscall {name}")
            } else if is_known_syscall(name) {
                format!("call {name}")
            } else {
                format!("hashcall {name}")
            }
        }
        // A name the assembler could not read back (from the caller's symbols): its number.
        Callee::Syscall(_) if relocated => format!("hashcall {:#x}", imm as u32),
        Callee::Syscall(_) => format!("syscall {imm}"),
        Callee::Function(_) if version.static_syscalls() || style.label.is_some() => {
            format!("call {}", operand(imm.to_string()))
        }
        Callee::Function(_) => format!("syscall {imm}"),
        Callee::Keyed { key, .. } if !relocated => match style.label {
            Some(label) if callee.is_linked_by_label(insn, version, label) => {
                format!("call {}", operand(format!("{key:#x}")))
            }
            _ => format!("syscall {imm}"),
        },
        Callee::Keyed { key, pc } => match style.label {
            Some(label) if style.label_as_operand && function_key(label, *pc as u64) == *key => {
                format!("hashcall {label}")
            }
            _ => format!("hashcall {key:#x}"),
        },
        // Resolves to nothing, so no call the program can make: a raw slot says it best (and
        // the output stays in the reference assembler's syntax).
        Callee::Unknown if relocated => return None,
        Callee::Unknown => format!("syscall {imm}"),
    })
}

/// The jump target an instruction names, if any.
pub fn jump_target(info: &OpInfo, insn: &Insn, pc: usize) -> Option<i64> {
    let offset = info.kind.jump_offset(insn)?;
    Some(insn::jump_target(pc, offset.into()) as i64)
}

/// An atomic's mnemonic: `lock_add32`, `lock_fetch_or64`, `lock_xchg64`, `lock_cmpxchg32`
/// (`xchg` and `cmpxchg` always fetch, so their names do not say it).
pub fn atomic_mnemonic(op: AtomicOp, fetch: bool, bits: u64) -> String {
    let fetch = if fetch && !matches!(op, AtomicOp::Xchg | AtomicOp::Cmpxchg) {
        "fetch_"
    } else {
        ""
    };
    format!("lock_{fetch}{}{bits}", op.name())
}

/// A name the assembler reads back as a name: identifier characters, not starting with a
/// digit, not a register name.
pub fn is_assembler_name(name: &str) -> bool {
    let mut chars = name.chars();
    let starts_well = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let is_register = name.len() >= 2
        && (name.starts_with('r') || name.starts_with('R'))
        && name[1..].bytes().all(|b| b.is_ascii_digit());
    starts_well && !is_register && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
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
