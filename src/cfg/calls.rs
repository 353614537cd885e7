//! What a `call` or `callx` calls (the table in the module doc), decided once for the graph.

use super::Callee;
use crate::isa::disasm::Symbols;
use crate::isa::insn::{jump_target, Insn};
use crate::isa::table::Kind;
use crate::isa::SbpfVersion;

/// What the call instruction `insn` (of kind `kind`) at `pc` calls; `is_start` tells whether an
/// instruction starts at an index. `None` for an instruction that calls nothing.
pub fn callee_of(
    kind: Kind,
    insn: &Insn,
    pc: usize,
    version: SbpfVersion,
    symbols: &Symbols,
    is_start: impl Fn(i128) -> bool,
) -> Option<Callee> {
    match kind {
        Kind::CallReg => {
            let register = u8::try_from(version.callx_register(insn)).unwrap_or(u8::MAX);
            Some(Callee::Indirect { register })
        }
        Kind::Call => Some(call(insn, pc, version, symbols, is_start)),
        _ => None,
    }
}

fn call(
    insn: &Insn,
    pc: usize,
    version: SbpfVersion,
    symbols: &Symbols,
    is_start: impl Fn(i128) -> bool,
) -> Callee {
    let hash = insn.imm as u32;
    let syscall = || Callee::Syscall {
        hash,
        name: symbols.syscall_name(hash),
    };
    let unresolved = Callee::Unresolved { imm: insn.imm };
    if version.static_syscalls() {
        return match insn.src {
            0 => syscall(),
            1 => {
                let target = jump_target(pc, insn.imm.into());
                match usize::try_from(target) {
                    Ok(at) if is_start(target) => Callee::Function(at),
                    _ => unresolved,
                }
            }
            _ => unresolved,
        };
    }
    if symbols.syscall_name(hash).is_some() {
        return syscall();
    }
    match symbols.function_keys.get(&hash) {
        Some(&at) if is_start(at as i128) => Callee::Function(at),
        _ => unresolved,
    }
}
