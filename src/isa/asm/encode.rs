//! Second pass: one instruction statement → its slots, through the instruction table. Calls
//! are encoded in `call`, text directives (`.fill`) in `fill`, read-only data in `data`.

use super::call;
use super::context::{single, slot, Context, Encoded};
use super::error::{AsmError, AsmProblem};
use super::parse::{Operand, OperandValue};
use super::CallTarget;
use crate::isa::hash::symbol_hash;
use crate::isa::table::{
    rows_named, AluOp, AtomicOp, ByteOrder, Kind, MemSize, OpInfo, Selector, Source, Width, TABLE,
};
use crate::isa::version::SbpfVersion;

/// How a mnemonic resolves.
enum Mnemonic {
    /// Rows of the table with this canonical name.
    Rows(&'static str),
    /// `le16` … `be64`, `bswap16` … `bswap64`.
    Endian(ByteOrder, i32),
    /// `lock_add32` … `lock_fetch_xor64`, `lock_xchg64`, `lock_cmpxchg32` (eBPF atomics).
    Atomic(AtomicOp, bool, MemSize),
    /// `syscall`: a `call` by hash.
    Syscall,
    /// `hashcall`: LLVM's relocated `call` (V0–V2): `src = 1` and a registry key or hash.
    HashCall,
}

fn resolve(mnemonic: &str) -> Option<Mnemonic> {
    let canonical = |name: &str| {
        TABLE
            .iter()
            .find(|info| info.mnemonic == name)
            .map(|info| info.mnemonic)
    };
    match mnemonic {
        "syscall" => return Some(Mnemonic::Syscall),
        "hashcall" => return Some(Mnemonic::HashCall),
        _ => {}
    }
    if let Some(atomic) = atomic_mnemonic(mnemonic) {
        return Some(atomic);
    }
    for (prefix, order) in [
        ("le", ByteOrder::Little),
        ("be", ByteOrder::Big),
        ("bswap", ByteOrder::Swap),
    ] {
        if let Some(size) = mnemonic.strip_prefix(prefix) {
            if let Ok(bits @ (16 | 32 | 64)) = size.parse::<i32>() {
                return Some(Mnemonic::Endian(order, bits));
            }
        }
    }
    if let Some(name) = canonical(mnemonic) {
        if !matches!(mnemonic, "le" | "be" | "bswap" | "lock32" | "lock64") {
            return Some(Mnemonic::Rows(name));
        }
        return None;
    }
    // `add` → `add64`, `lmul` → `lmul64`: 64-bit ALU operations without their suffix.
    let with_suffix = format!("{mnemonic}64");
    if let Some(info) = TABLE.iter().find(|info| info.mnemonic == with_suffix) {
        if matches!(
            info.kind,
            Kind::Alu {
                width: Width::W64,
                ..
            }
        ) {
            return Some(Mnemonic::Rows(info.mnemonic));
        }
    }
    // `jeq64` → `jeq`: 64-bit conditional jumps with an explicit suffix.
    if let Some(stem) = mnemonic.strip_suffix("64") {
        if let Some(info) = TABLE.iter().find(|info| info.mnemonic == stem) {
            if matches!(
                info.kind,
                Kind::JumpIf {
                    width: Width::W64,
                    ..
                }
            ) {
                return Some(Mnemonic::Rows(info.mnemonic));
            }
        }
    }
    None
}

/// `lock_[fetch_]op(32|64)`, as the disassembler writes atomics (`xchg` and `cmpxchg` always
/// fetch; `lock_add` without a width is 64-bit).
fn atomic_mnemonic(mnemonic: &str) -> Option<Mnemonic> {
    let rest = mnemonic.strip_prefix("lock_")?;
    let (fetch, rest) = match rest.strip_prefix("fetch_") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let (name, size) = if let Some(name) = rest.strip_suffix("32") {
        (name, MemSize::B4)
    } else {
        (rest.strip_suffix("64").unwrap_or(rest), MemSize::B8)
    };
    let op = AtomicOp::ALL.into_iter().find(|op| op.name() == name)?;
    let always_fetches = matches!(op, AtomicOp::Xchg | AtomicOp::Cmpxchg);
    if always_fetches && fetch {
        return None;
    }
    Some(Mnemonic::Atomic(op, fetch || always_fetches, size))
}

/// The row to encode: among rows named `name` (and matching the operand source, if given),
/// the one the version has, else the first.
fn choose_row(name: &str, version: SbpfVersion, source: Option<Source>) -> Option<&'static OpInfo> {
    let source_matches = |info: &&OpInfo| match (source, info.kind) {
        (None, _) => true,
        (
            Some(wanted),
            Kind::Alu { source, .. } | Kind::JumpIf { source, .. } | Kind::Store(_, source),
        ) => source == wanted,
        (Some(_), _) => true,
    };
    let mut candidates = rows_named(name).filter(source_matches).peekable();
    let first = *candidates.peek()?;
    Some(
        candidates
            .find(|info| info.in_version(version))
            .unwrap_or(first),
    )
}

fn source_of(operand: &Operand) -> Source {
    match operand.value {
        OperandValue::Register(_) => Source::Reg,
        _ => Source::Imm,
    }
}

/// Encodes one instruction statement.
pub(super) fn instruction(
    cx: &Context<'_>,
    column: usize,
    mnemonic: &str,
    operands: &[Operand],
) -> Result<Encoded, AsmError> {
    use OperandValue::{Integer as Int, Memory as Mem, Name, Register as Reg};
    let resolved = resolve(mnemonic)
        .ok_or_else(|| cx.error(column, AsmProblem::UnknownMnemonic(mnemonic.to_string())))?;
    let name = match resolved {
        Mnemonic::Endian(order, bits) => {
            let opcode = TABLE
                .iter()
                .find(|info| info.kind == Kind::Endian(order))
                .map_or(0, |info| info.opcode);
            return match operands {
                [Operand {
                    value: Reg(dst), ..
                }] => Ok(single(slot(opcode, *dst, 0, 0, bits))),
                _ => Err(cx.bad_operands(column, mnemonic, "one register: be16 r0")),
            };
        }
        Mnemonic::Atomic(op, fetch, size) => {
            let opcode = TABLE
                .iter()
                .find(|info| info.kind == Kind::Atomic(size))
                .map_or(0, |info| info.opcode);
            return register_to_memory(
                cx,
                (column, mnemonic),
                opcode,
                op.imm(fetch),
                operands,
                "a memory operand and a register: lock_add64 [r10-8], r1",
            );
        }
        Mnemonic::Syscall => {
            let (imm, name) = match operands {
                [Operand {
                    value: Name(symbol),
                    ..
                }] => (symbol_hash(symbol) as i32, Some(symbol.clone())),
                [operand @ Operand {
                    value: Int(value), ..
                }] => (cx.imm32(operand, *value)?, None),
                _ => {
                    return Err(cx.bad_operands(
                        column,
                        mnemonic,
                        "a syscall name or number: syscall sol_log_",
                    ))
                }
            };
            let mut encoded = single(slot(0x85, 0, 0, 0, imm));
            encoded.call = Some(CallTarget::Syscall {
                name,
                hash: imm as u32,
            });
            return Ok(encoded);
        }
        Mnemonic::HashCall => return call::hash_call(cx, column, mnemonic, operands),
        Mnemonic::Rows(name) => name,
    };
    let source = match operands {
        [_, second] | [_, second, _] => Some(source_of(second)),
        _ => None,
    };
    let Some(info) = choose_row(name, cx.version, source) else {
        return Err(cx.error(column, AsmProblem::UnknownMnemonic(mnemonic.to_string())));
    };
    let opcode = info.opcode;
    // Rows that another field selects (eBPF `sdiv`, `movsx`) carry it in `off`.
    let selector = match info.selector {
        Selector::Offset(off) => off,
        Selector::Any => 0,
    };
    match info.kind {
        Kind::Alu { op: AluOp::Neg, .. } => match operands {
            [Operand {
                value: Reg(dst), ..
            }] => Ok(single(slot(opcode, *dst, 0, 0, 0))),
            _ => Err(cx.bad_operands(column, mnemonic, "one register: neg64 r1")),
        },
        Kind::Alu { op, width, source } => match (source, operands) {
            (
                Source::Reg,
                [Operand {
                    value: Reg(dst), ..
                }, Operand {
                    value: Reg(src), ..
                }],
            ) => Ok(single(slot(opcode, *dst, *src, selector, 0))),
            (
                Source::Imm,
                [Operand {
                    value: Reg(dst), ..
                }, imm @ Operand {
                    value: Int(value), ..
                }],
            ) => {
                let imm = cx.imm32(imm, *value)?;
                if *dst == 10
                    && op == AluOp::Add
                    && width == Width::W64
                    && !cx.version.dynamic_stack_frames()
                {
                    // The reference assembler turns a frame bump into a no-op where frames are fixed.
                    return Ok(single(slot(0x47, 0, 0, 0, 0)));
                }
                Ok(single(slot(opcode, *dst, 0, selector, imm)))
            }
            _ => Err(cx.bad_operands(
                column,
                mnemonic,
                "a register and a register or immediate: add64 r1, 2",
            )),
        },
        Kind::Endian(_) | Kind::Atomic(_) => {
            Err(cx.error(column, AsmProblem::UnknownMnemonic(mnemonic.to_string())))
        }
        Kind::LoadImm64 => match operands {
            [Operand {
                value: Reg(dst), ..
            }, imm @ Operand {
                value: Int(value), ..
            }] => {
                let value = cx.ranged(
                    imm,
                    *value,
                    "64-bit immediate",
                    i64::MIN.into(),
                    u64::MAX.into(),
                )?;
                let bits = value as u64;
                Ok(Encoded {
                    slots: vec![
                        slot(opcode, *dst, 0, 0, bits as u32 as i32),
                        slot(0, 0, 0, 0, (bits >> 32) as u32 as i32),
                    ],
                    registers_function: None,
                    call: None,
                    address_of: None,
                })
            }
            [Operand {
                value: Reg(dst), ..
            }, target @ Operand {
                value: Name(label), ..
            }] => {
                if !cx.labels.contains_key(label) && !cx.data_labels.contains_key(label) {
                    return Err(cx.error(target.column, AsmProblem::UnknownLabel(label.clone())));
                }
                Ok(Encoded {
                    slots: vec![slot(opcode, *dst, 0, 0, 0), slot(0, 0, 0, 0, 0)],
                    registers_function: None,
                    call: None,
                    address_of: Some(label.clone()),
                })
            }
            _ => Err(cx.bad_operands(
                column,
                mnemonic,
                "a register and a 64-bit immediate: lddw r1, 0x1122334455667788",
            )),
        },
        Kind::Load(_) | Kind::LoadSigned(_) => match operands {
            [Operand {
                value: Reg(dst), ..
            }, memory @ Operand {
                value: Mem { base, offset },
                ..
            }] => Ok(single(slot(
                opcode,
                *dst,
                *base,
                cx.off16(memory, *offset)?,
                0,
            ))),
            _ => Err(cx.bad_operands(
                column,
                mnemonic,
                "a register and a memory operand: ldxdw r1, [r2+8]",
            )),
        },
        Kind::Store(_, Source::Imm) => match operands {
            [memory @ Operand {
                value: Mem { base, offset },
                ..
            }, imm @ Operand {
                value: Int(value), ..
            }] => Ok(single(slot(
                opcode,
                *base,
                0,
                cx.off16(memory, *offset)?,
                cx.imm32(imm, *value)?,
            ))),
            _ => Err(cx.bad_operands(
                column,
                mnemonic,
                "a memory operand and an immediate: stdw [r10-8], 1",
            )),
        },
        Kind::Store(_, Source::Reg) => register_to_memory(
            cx,
            (column, mnemonic),
            opcode,
            0,
            operands,
            "a memory operand and a register: stxdw [r10-8], r1",
        ),
        Kind::Jump => match operands {
            [target @ Operand {
                value: Int(_) | Name(_),
                ..
            }] => Ok(single(slot(opcode, 0, 0, cx.jump_offset(target)?, 0))),
            _ => Err(cx.bad_operands(column, mnemonic, "an offset or a label: ja +2, ja done")),
        },
        Kind::JumpLong => match operands {
            [target @ Operand {
                value: Int(_) | Name(_),
                ..
            }] => Ok(single(slot(opcode, 0, 0, 0, cx.long_jump_offset(target)?))),
            _ => Err(cx.bad_operands(column, mnemonic, "an offset or a label: gotol done")),
        },
        Kind::JumpIf { source, .. } => match (source, operands) {
            (
                Source::Reg,
                [Operand {
                    value: Reg(dst), ..
                }, Operand {
                    value: Reg(src), ..
                }, target @ Operand {
                    value: Int(_) | Name(_),
                    ..
                }],
            ) => Ok(single(slot(opcode, *dst, *src, cx.jump_offset(target)?, 0))),
            (
                Source::Imm,
                [Operand {
                    value: Reg(dst), ..
                }, imm @ Operand {
                    value: Int(value), ..
                }, target @ Operand {
                    value: Int(_) | Name(_),
                    ..
                }],
            ) => Ok(single(slot(
                opcode,
                *dst,
                0,
                cx.jump_offset(target)?,
                cx.imm32(imm, *value)?,
            ))),
            _ => Err(cx.bad_operands(
                column,
                mnemonic,
                "a register, a register or immediate, and an offset or label: jeq r1, 0, done",
            )),
        },
        Kind::Call => call::call(cx, column, mnemonic, opcode, operands),
        Kind::CallReg => match operands {
            [Operand {
                value: Reg(register),
                ..
            }] => Ok(single(cx.version.callx_insn(opcode, *register))),
            _ => Err(cx.bad_operands(column, mnemonic, "one register: callx r1")),
        },
        Kind::Exit => match operands {
            [] => Ok(single(slot(opcode, 0, 0, 0, 0))),
            _ => Err(cx.bad_operands(column, mnemonic, "no operands")),
        },
    }
}

/// `op [dst+off], src`: a register store, or an atomic (whose immediate names the operation).
fn register_to_memory(
    cx: &Context<'_>,
    (column, mnemonic): (usize, &str),
    opcode: u8,
    imm: i32,
    operands: &[Operand],
    example: &'static str,
) -> Result<Encoded, AsmError> {
    match operands {
        [memory @ Operand {
            value: OperandValue::Memory { base, offset },
            ..
        }, Operand {
            value: OperandValue::Register(src),
            ..
        }] => Ok(single(slot(
            opcode,
            *base,
            *src,
            cx.off16(memory, *offset)?,
            imm,
        ))),
        _ => Err(cx.bad_operands(column, mnemonic, example)),
    }
}
