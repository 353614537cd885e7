//! Encoding calls: `call` by label, offset or syscall name, and `hashcall` (LLVM's relocated
//! call by key, before V3). Where a call lands follows the one pc-relative rule
//! ([`crate::isa::insn::jump_target`]).

use super::context::{single, slot, Context, Encoded};
use super::error::{AsmError, AsmProblem};
use super::parse::{Operand, OperandValue};
use super::{CallTarget, Function};
use crate::isa::hash::{function_key, symbol_hash};
use crate::isa::insn::{jump_delta, jump_target};
use crate::isa::syscall_names::is_known_syscall;

/// `call label` / `call NUMBER`: before V3 the immediate is the target's instruction index; from
/// V3 it is relative to the next slot and `src = 1` marks an internal call.
///
/// `call NAME`, where NAME is a well-known syscall and no label, is a syscall as the toolchain
/// encodes it: before V3 LLVM's relocated call (`src = 1`, the name's hash), from V3 the
/// static syscall (`src = 0`, the name's hash).
///
/// In Linux eBPF a number names a helper (`call 6` is `bpf_trace_printk`: `src = 0`), as
/// clang and the kernel write it; a local function is called by its label.
pub(super) fn call(
    cx: &Context<'_>,
    column: usize,
    mnemonic: &str,
    opcode: u8,
    operands: &[Operand],
) -> Result<Encoded, AsmError> {
    let relative = cx.version.static_syscalls();
    let src = u8::from(relative);
    match operands {
        [Operand {
            value: OperandValue::Name(name),
            ..
        }] if !cx.labels.contains_key(name) && is_known_syscall(name) => {
            let hash = symbol_hash(name);
            let mut encoded = single(slot(opcode, 0, u8::from(!relative), 0, hash as i32));
            encoded.call = Some(CallTarget::Syscall {
                name: Some(name.clone()),
                hash,
            });
            Ok(encoded)
        }
        [target @ Operand {
            value: OperandValue::Name(name),
            ..
        }] => {
            let target_pc = cx.label(target, name)? as i128;
            let imm = if relative {
                jump_delta(cx.pc, target_pc)
            } else {
                target_pc
            };
            let mut encoded = single(slot(opcode, 0, src, 0, cx.imm32(target, imm)?));
            encoded.call = Some(CallTarget::Function(target_pc as usize));
            Ok(encoded)
        }
        [helper @ Operand {
            value: OperandValue::Integer(value),
            ..
        }] if cx.version.calls_helpers_by_number() => {
            let id = cx.imm32(helper, *value)?;
            let mut encoded = single(slot(opcode, 0, 0, 0, id));
            encoded.call = Some(CallTarget::Syscall {
                name: None,
                hash: id as u32,
            });
            Ok(encoded)
        }
        [target @ Operand {
            value: OperandValue::Integer(value),
            ..
        }] => {
            // A number is an offset from the next slot, as in the reference assembler.
            let target_pc = jump_target(cx.pc, *value);
            let imm = if relative { *value } else { target_pc };
            let imm = cx.imm32(target, imm)?;
            let registered = usize::try_from(target_pc)
                .ok()
                .filter(|pc| u32::try_from(*pc).is_ok());
            Ok(Encoded {
                slots: vec![slot(opcode, 0, src, 0, imm)],
                registers_function: registered.map(|pc| Function {
                    key: pc as u32,
                    name: format!("function_{pc}"),
                    pc,
                }),
                call: registered.map(CallTarget::Function),
                address_of: None,
            })
        }
        _ => Err(cx.bad_operands(
            column,
            mnemonic,
            "a label, a relative offset or a syscall name: call function_foo",
        )),
    }
}

/// `hashcall OPERAND` (V0–V2): a `call` with `src = 1` whose immediate is what the loader
/// writes into LLVM's relocated calls, by the rule it applies to a call relocated against a
/// symbol:
///
/// * a label: the key the function is registered under ([`function_key`]: the hash of the
///   name `entrypoint`, else of the label's index); the function is registered under it;
/// * any other name: its hash (a syscall);
/// * a number: that immediate (32 bits, signed or not).
///
/// From V3 calls are pc-relative and there are no keys, so there is nothing to encode.
pub(super) fn hash_call(
    cx: &Context<'_>,
    column: usize,
    mnemonic: &str,
    operands: &[Operand],
) -> Result<Encoded, AsmError> {
    if cx.version.static_syscalls() {
        return Err(cx.error(column, AsmProblem::CallByKeyUnavailable(cx.version)));
    }
    let call = |imm: u32, target: CallTarget| {
        let mut encoded = single(slot(0x85, 0, 1, 0, imm as i32));
        encoded.call = Some(target);
        encoded
    };
    match operands {
        [Operand {
            value: OperandValue::Name(name),
            ..
        }] => match cx.labels.get(name) {
            Some(&(pc, _)) => {
                let key = function_key(name, pc as u64);
                let mut encoded = call(
                    key,
                    CallTarget::Keyed {
                        pc,
                        name: name.clone(),
                    },
                );
                encoded.registers_function = Some(Function {
                    key,
                    name: name.clone(),
                    pc,
                });
                Ok(encoded)
            }
            None => {
                let hash = symbol_hash(name);
                Ok(call(
                    hash,
                    CallTarget::Syscall {
                        name: Some(name.clone()),
                        hash,
                    },
                ))
            }
        },
        [operand @ Operand {
            value: OperandValue::Integer(value),
            ..
        }] => {
            let key = cx.ranged(operand, *value, "key", i32::MIN.into(), u32::MAX.into())? as u32;
            Ok(call(
                key,
                CallTarget::Syscall {
                    name: None,
                    hash: key,
                },
            ))
        }
        _ => Err(cx.bad_operands(
            column,
            mnemonic,
            "a label, a syscall name or a 32-bit key: hashcall function_foo",
        )),
    }
}
