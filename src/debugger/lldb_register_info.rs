//! `qRegisterInfo`, gdbstub's (lldb) register-info extension: how lldb learns the registers of
//! arch.rs one by one (stock lldb does not read the target description for them). Names, the
//! DWARF numbers and the generic roles (arguments r1–r5, the frame pointer r10, the pc) are
//! those of the target description; `remaining` has no DWARF number and shows in decimal.

use super::target::DebugTarget;
use crate::vm::ContextObject;
use gdbstub::arch::lldb::{Encoding, Format, Generic, Register};
use gdbstub::target::ext::lldb_register_info_override::{
    Callback, CallbackToken, LldbRegisterInfoOverride,
};

/// The registers by gdb number (arch.rs).
const NAMES: [&str; 13] = [
    "r0",
    "r1",
    "r2",
    "r3",
    "r4",
    "r5",
    "r6",
    "r7",
    "r8",
    "r9",
    "r10",
    "pc",
    "remaining",
];

impl<C: ContextObject> LldbRegisterInfoOverride for DebugTarget<'_, '_, C> {
    fn lldb_register_info<'a>(
        &mut self,
        reg_id: usize,
        reg_info: Callback<'a>,
    ) -> Result<CallbackToken<'a>, Self::Error> {
        Ok(match register(reg_id) {
            Some(register) => reg_info.write(register),
            None => reg_info.done(),
        })
    }
}

/// Register `reg_id` as lldb sees it; `None` past the last.
fn register(reg_id: usize) -> Option<Register<'static>> {
    let name = NAMES.get(reg_id)?;
    let generic = match reg_id {
        10 => Some(Generic::Fp),
        11 => Some(Generic::Pc),
        1 => Some(Generic::Arg1),
        2 => Some(Generic::Arg2),
        3 => Some(Generic::Arg3),
        4 => Some(Generic::Arg4),
        5 => Some(Generic::Arg5),
        _ => None,
    };
    Some(Register {
        name,
        alt_name: (reg_id == 10).then_some("fp"),
        bitsize: 64,
        offset: reg_id * 8,
        encoding: Encoding::Uint,
        format: if reg_id == 12 {
            Format::Decimal
        } else {
            Format::Hex
        },
        set: "General Purpose Registers",
        gcc: None,
        dwarf: (reg_id <= 11).then_some(reg_id),
        generic,
        container_regs: None,
        invalidate_regs: None,
    })
}
