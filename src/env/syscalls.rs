//! The standard syscalls (the reference harness's own set).

use super::{memory, EnvContext};
use crate::memory::MemoryMapping;
use crate::vm::{SyscallError, SyscallFunction, SyscallRegistry};

/// Registers `log`, `sol_log_`, `log_64`, `sol_log_64_`, `abort`, `panic` and `sol_panic_` (the
/// reference harness's set, which costs nothing beyond the call), and Solana's memory syscalls
/// `sol_memcpy_`, `sol_memmove_`, `sol_memset_`, `sol_memcmp_` and `sol_log_compute_units_` with
/// Solana's costs.
pub fn register_standard_syscalls(registry: &mut SyscallRegistry<EnvContext>) {
    // `fn` items boxed as they are: zero-sized, so no allocation and a direct call.
    let entries: [(&str, Box<SyscallFunction<EnvContext>>); 12] = [
        ("log", Box::new(log)),
        ("sol_log_", Box::new(log)),
        ("log_64", Box::new(log_64)),
        ("sol_log_64_", Box::new(log_64)),
        ("abort", Box::new(abort)),
        ("panic", Box::new(panic)),
        ("sol_panic_", Box::new(panic)),
        ("sol_memcpy_", Box::new(memory::memcpy)),
        ("sol_memmove_", Box::new(memory::memmove)),
        ("sol_memset_", Box::new(memory::memset)),
        ("sol_memcmp_", Box::new(memory::memcmp)),
        (
            "sol_log_compute_units_",
            Box::new(memory::log_compute_units),
        ),
    ];
    for (name, function) in entries {
        // The names are fixed and their hashes distinct; a collision would only skip the name.
        let _ = registry.register_boxed(name, function);
    }
}

/// `log(addr, len)`: records `len` guest bytes; returns 0.
fn log(
    context: &mut EnvContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let bytes = memory.read_bytes(args[0], args[1])?.to_vec();
    context.record_log(bytes);
    Ok(0)
}

/// `log_64(a, b, c, d, e)`: records the five arguments in hex; returns 0.
fn log_64(
    context: &mut EnvContext,
    _memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let [a, b, c, d, e] = args;
    context.record_log(format!("{a:#x} {b:#x} {c:#x} {d:#x} {e:#x}").into_bytes());
    Ok(0)
}

/// `abort()`: always fails.
fn abort(
    _context: &mut EnvContext,
    _memory: &mut MemoryMapping<'_>,
    _args: [u64; 5],
) -> Result<u64, SyscallError> {
    Err(SyscallError::new("abort"))
}

/// `panic(file, len, line, column)`: fails naming the location.
fn panic(
    _context: &mut EnvContext,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let file = memory
        .read_bytes(args[0], args[1].min(4096))
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .unwrap_or_else(|_| "<unreadable>".to_string());
    Err(SyscallError::new(format!(
        "panic at {file}:{}:{}",
        args[2], args[3]
    )))
}
