//! Logging, `abort` and `sol_panic_`.
//!
//! | syscall                  | cost                                      | log line |
//! |--------------------------|-------------------------------------------|----------|
//! | `sol_log_(ptr, len)`     | max(100, len)                             | `Program log: <utf-8>` |
//! | `sol_log_64_(a..e)`      | 100                                       | `Program log: 0x1, 0x2, …` |
//! | `sol_log_pubkey(ptr)`    | 100                                       | `Program log: <base58>` |
//! | `sol_log_compute_units_` | 100                                       | `Program consumption: <n> units remaining` |
//! | `sol_log_data(ptr, n)`   | 100 + 100·n + Σ lengths                   | `Program data: <base64> …` |
//! | `sol_panic_(file, len, line, column)` | len                          | fails: `SBF program Panicked in <file> at <line>:<column>` |
//! | `abort()`                | 0                                          | fails: `SBF program panicked` |

use super::translate::{read_slice, read_value, vm_slices};
use super::{SolanaSyscallError, SyscallFailure, SyscallResult};
use crate::memory::MemoryMapping;
use crate::solana::context::InvokeContext;
use crate::solana::pubkey::Pubkey;
use crate::vm::ContextObject;

/// The guest string at `addr`, or Agave's `InvalidString`.
fn guest_str<'m>(
    memory: &'m MemoryMapping<'_>,
    addr: u64,
    len: u64,
    check_aligned: bool,
) -> Result<&'m str, SyscallFailure> {
    let bytes = read_slice(memory, addr, len, 1, 1, check_aligned)?;
    std::str::from_utf8(bytes).map_err(|error| {
        SolanaSyscallError::InvalidString {
            error,
            bytes: bytes.to_vec(),
        }
        .into()
    })
}

pub(super) fn log(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, len, ..]: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().syscall_base_cost.max(len))?;
    let text = guest_str(memory, addr, len, context.check_aligned)?;
    context.log.program_log(text);
    Ok(0)
}

pub(super) fn log_64(
    context: &mut InvokeContext,
    _memory: &mut MemoryMapping<'_>,
    [a, b, c, d, e]: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().log_64_units)?;
    context
        .log
        .program_log(&format!("{a:#x}, {b:#x}, {c:#x}, {d:#x}, {e:#x}"));
    Ok(0)
}

pub(super) fn log_pubkey(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, ..]: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().log_pubkey_units)?;
    let bytes = read_value(memory, addr, 32, 1, context.check_aligned)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(bytes);
    context.log.program_log(&Pubkey(key).to_string());
    Ok(0)
}

pub(super) fn log_compute_units(
    context: &mut InvokeContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> SyscallResult {
    context.consume_checked(context.costs().syscall_base_cost)?;
    let remaining = context.get_remaining();
    context
        .log
        .log(format!("Program consumption: {remaining} units remaining"));
    Ok(0)
}

pub(super) fn log_data(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [addr, count, ..]: [u64; 5],
) -> SyscallResult {
    let base = context.costs().syscall_base_cost;
    context.consume_checked(base)?;
    let check_aligned = context.check_aligned;
    let fields = vm_slices(read_slice(memory, addr, count, 16, 8, check_aligned)?);
    context.consume_checked(base.saturating_mul(fields.len() as u64))?;
    let total = fields
        .iter()
        .fold(0u64, |total, (_, len)| total.saturating_add(*len));
    context.consume_checked(total)?;
    let mut data = Vec::with_capacity(fields.len());
    for (ptr, len) in fields {
        data.push(read_slice(memory, ptr, len, 1, 1, check_aligned)?);
    }
    context.log.program_data(&data);
    Ok(0)
}

pub(super) fn abort(
    _context: &mut InvokeContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> SyscallResult {
    Err(SolanaSyscallError::Abort.into())
}

pub(super) fn panic(
    context: &mut InvokeContext,
    memory: &mut MemoryMapping<'_>,
    [file, len, line, column, _]: [u64; 5],
) -> SyscallResult {
    context.consume_checked(len)?;
    let file = guest_str(memory, file, len, context.check_aligned)?;
    Err(SolanaSyscallError::Panic {
        file: file.to_string(),
        line,
        column,
    }
    .into())
}
