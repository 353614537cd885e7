//! The x86-64 JIT: compiles an executable's pre-decoded text to native code that runs with the
//! interpreter's exact semantics — same results, errors, final pc and instruction counts.
//!
//! ```text
//!  Executable ── decoded ops + run lengths ──► lower ──► x86 bytes ──► ExecutableCode (W^X)
//!                                                                          │
//!  Vm::execute_jit ─ loop: charge run, enter ─► native code ─ hand-over ─► Vm::step ─┘
//! ```
//!
//! | module          | what it holds                                                       |
//! |-----------------|---------------------------------------------------------------------|
//! | [`x86`]         | the encoder, one file per encoding concern, checked with iced-x86    |
//! | `lower`         | ops to machine code: metering, hand-over stubs, ALU, jumps, memory  |
//! | [`context`]     | the `repr(C)` block generated code works on (registers, meter, windows, window lists) |
//! | [`code_memory`] | read-write then read-execute pages, never both; a reuse pool         |
//! | `executable`    | `Executable::jit_compile` and `jit_program`: the code kept with the executable |
//! | `run`           | the host side: entry, hand-over to the interpreter, re-entry         |
//! | `stops`         | `Vm::run_jit_until`: runs that stop at marked pcs (a debugger's), on a second compilation with a check per instruction |
//! | `windows`       | the window table and lists, built from the mapping's runs of host bytes |
//!
//! The design choice that keeps the two engines in agreement: compiled code does only what is
//! both common and unambiguous (arithmetic, jumps, calls and returns, loads, stores and eBPF
//! atomics that lie inside a window the host built from the regions) and hands everything
//! else to the interpreter's own [`crate::vm::Vm::step`] for one instruction — syscalls (and
//! eBPF's `callx`, a helper by id), the entry frame's exit, faults of any kind, accesses no
//! window holds. Errors therefore come from one implementation, and counts from one metering
//! rule (see `lower`).
//!
//! Every `+ - * << >>` here says what it means (`clippy::arithmetic_side_effects` is denied for
//! the whole JIT): `wrapping_*` with the reason beside it where the operands are bounded (code
//! offsets, field displacements, pcs that index the text, metering the budget check covers),
//! `saturating_*` for size hints, `checked_*` where an overflow is refused.

#![deny(clippy::arithmetic_side_effects)]

pub mod code_memory;
pub mod context;
mod executable;
mod lower;
mod run;
mod stops;
mod windows;
pub mod x86;

use crate::isa::SbpfVersion;
use crate::program::DecodedProgram;
use crate::vm::Config;
pub use crate::vm::JitError;
use code_memory::ExecutableCode;

/// A compiled program: immutable, shared by every run of its executable, on any thread.
#[derive(Debug)]
pub struct JitProgram {
    code: ExecutableCode,
    /// Code offset of each pc, or `u32::MAX` where the host steps instead of entering.
    entries: Vec<u32>,
    /// Code address of each pc's label (returns and `callx` jump through it).
    targets: Vec<u64>,
    /// The blinding key of this compilation.
    key: u64,
}

impl JitProgram {
    /// Compiles `decoded`, with a fresh random blinding key; with `stop_checks`, every
    /// instruction first tests its mark (the compilation debuggers run, see `stops`).
    pub(crate) fn compile(
        decoded: &DecodedProgram,
        config: &Config,
        version: SbpfVersion,
        text_vaddr: u64,
        stop_checks: bool,
    ) -> Result<Self, JitError> {
        if !cfg!(all(target_arch = "x86_64", unix)) {
            return Err(JitError::UnsupportedPlatform);
        }
        // Every pc must be an `i32`/`u32` immediate (stubs and slow paths load it); such a text
        // would need more than 2 GiB of code anyway.
        if i32::try_from(decoded.ops.len()).is_err() {
            return Err(JitError::TooLarge {
                bytes: decoded.ops.len().saturating_mul(8),
            });
        }
        // The key's low half blinds 32-bit immediates: one that fits a signed byte would leave
        // the value's high bytes as they are.
        let key = loop {
            let key = rand::random::<u64>();
            if !(-128..=127).contains(&(key as u32 as i32)) {
                break key;
            }
        };
        let frame_step = config.frame_step(version);
        let calls = lower::CallSettings {
            frame_step,
            text_vaddr,
            native_calls: (config.max_call_depth as u64) <= lower::NATIVE_CALL_DEPTH_LIMIT,
        };
        thread_local! {
            static SCRATCH: std::cell::RefCell<lower::Scratch> = Default::default();
        }
        let (lowered, code) = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let lowered = lower::lower(
                &decoded.ops,
                &decoded.runs,
                key,
                calls,
                stop_checks,
                &mut scratch,
            );
            // Jumps are rel32: beyond 2 GiB of code a patched displacement would wrap and land
            // anywhere. (The bound also keeps every run length and pc an `i32` immediate.)
            let code = scratch.code.code();
            if i32::try_from(code.len()).is_err() {
                return Err(JitError::TooLarge { bytes: code.len() });
            }
            Ok((lowered, ExecutableCode::new(code)?))
        })?;
        let base = code.base() as u64;
        let targets = lowered
            .labels
            .iter()
            // A host address (below 2^47 in user space) plus a 32-bit offset: no wrap.
            .map(|label| base.wrapping_add(u64::from(*label)))
            .collect();
        Ok(JitProgram {
            code,
            entries: lowered.entries,
            targets,
            key,
        })
    }

    /// The machine code (for inspection and tests).
    pub fn machine_code(&self) -> &[u8] {
        self.code.bytes()
    }

    /// Code offset where the op at `pc` starts, if compiled code can be entered there.
    pub fn entry_offset(&self, pc: usize) -> Option<u32> {
        self.entries
            .get(pc)
            .copied()
            .filter(|entry| *entry != u32::MAX)
    }
}
