//! The standard runtime environment: the memory layout and syscalls that `sbvm run` (and the
//! reference harness, `shared/oracle`) give every program.
//!
//! | region         | guest address                      | contents                                  |
//! |----------------|------------------------------------|-------------------------------------------|
//! | read-only data | 0x0 (V3+) / 0x1_0000_0000 (V0–V2)  | the executable's text and read-only data |
//! | stack          | 0x2_0000_0000                      | max_call_depth × stack_frame_size zeroes; V0 gapped |
//! | heap           | 0x3_0000_0000                      | `heap_size` zeroes                        |
//! | input          | 0x4_0000_0000                      | the input bytes; r1 points here           |
//!
//! Syscalls: `log`/`sol_log_` record guest bytes; `log_64`/`sol_log_64_` record r1–r5 in hex;
//! `abort` fails; `panic`/`sol_panic_` fail naming file:line:column; and Solana's `sol_memcpy_`,
//! `sol_memmove_`, `sol_memset_`, `sol_memcmp_`, `sol_log_compute_units_` with their costs.
//!
//! Every region must fit its 4 GiB slot ([`MAX_HEAP_SIZE`], [`MAX_INPUT_LEN`],
//! [`MAX_STACK_SPAN`]): sizes are checked before anything is allocated, and one that does not fit
//! is an [`EnvError`] naming the limit. Memory the host cannot give is an
//! [`EnvError::OutOfMemory`], not an abort.

mod limits;
mod memory;
mod syscalls;

use crate::memory::{
    HostMemory, MemoryMapping, MemoryRegion, MM_HEAP_START, MM_INPUT_START, MM_STACK_START,
};
use crate::vm::{Config, ContextObject, EbpfError, Engine, Executable, Runtime, Vm};

pub use limits::{
    check_heap_size, check_input_len, check_stack, copied, zeroed, EnvError, MAX_HEAP_SIZE,
    MAX_INPUT_LEN, MAX_STACK_SPAN,
};
pub use syscalls::register_standard_syscalls;

/// Most log bytes kept per run, so a logging loop cannot exhaust memory.
pub const LOG_BYTES_CAP: usize = 64 * 1024;

/// The context of a run in the standard environment: budget and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvContext {
    /// Compute units left.
    pub remaining: u64,
    /// Messages recorded by the logging syscalls.
    pub logs: Vec<Vec<u8>>,
    log_bytes: usize,
}

impl EnvContext {
    /// A context with `budget` compute units.
    pub fn new(budget: u64) -> Self {
        EnvContext {
            remaining: budget,
            logs: Vec::new(),
            log_bytes: 0,
        }
    }

    /// Records a log message (truncated once [`LOG_BYTES_CAP`] bytes are kept).
    pub fn record_log(&mut self, mut bytes: Vec<u8>) {
        if self.log_bytes >= LOG_BYTES_CAP {
            return;
        }
        bytes.truncate(LOG_BYTES_CAP - self.log_bytes);
        self.log_bytes += bytes.len();
        self.logs.push(bytes);
    }
}

impl ContextObject for EnvContext {
    fn consume(&mut self, amount: u64) {
        self.remaining = self.remaining.saturating_sub(amount);
    }
    fn get_remaining(&self) -> u64 {
        self.remaining
    }
}

/// A runtime with `config` and the standard syscalls.
pub fn standard_runtime(config: Config) -> Runtime<EnvContext> {
    let mut runtime = Runtime::new(config);
    register_standard_syscalls(&mut runtime.syscalls);
    runtime
}

/// Inputs of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSetup {
    /// Compute budget.
    pub budget: u64,
    /// Input bytes, mapped at 0x4_0000_0000.
    pub input: Vec<u8>,
    /// Heap bytes.
    pub heap_size: usize,
}

impl Default for RunSetup {
    fn default() -> Self {
        RunSetup {
            budget: 100_000_000,
            input: Vec::new(),
            heap_size: 32 * 1024,
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// r0 or the error.
    pub result: Result<u64, EbpfError>,
    /// Instructions counted by the meter.
    pub instructions: u64,
    /// Instruction index where the run ended.
    pub pc: usize,
    /// Logged messages.
    pub logs: Vec<Vec<u8>>,
    /// The input region's bytes after the run.
    pub input: Vec<u8>,
}

/// The regions of the standard layout for `executable`; a heap, input or stack too large for
/// its slot is an error, found before anything is allocated, and so is one the host has no
/// memory for.
pub fn standard_regions<'a>(
    executable: &'a Executable<EnvContext>,
    input: Vec<u8>,
    heap_size: usize,
) -> Result<Vec<MemoryRegion<'a>>, EnvError> {
    let config = executable.config();
    let gaps = config.stack_gaps(executable.version());
    check_heap_size(u64::try_from(heap_size).unwrap_or(u64::MAX))?;
    check_input_len(u64::try_from(input.len()).unwrap_or(u64::MAX))?;
    check_stack(config, gaps)?;
    let stack = HostMemory::Owned {
        bytes: zeroed("stack", config.stack_size())?,
        writable: true,
    };
    let stack = if gaps {
        MemoryRegion::new_gapped(stack, MM_STACK_START, config.stack_frame_size as u64)
    } else {
        MemoryRegion::new(stack, MM_STACK_START)
    };
    Ok(vec![
        executable.ro_region(),
        stack,
        MemoryRegion::owned(zeroed("heap", heap_size)?, MM_HEAP_START),
        MemoryRegion::owned(input, MM_INPUT_START),
    ])
}

/// Builds a VM in the standard layout, with r1 pointing at the input.
pub fn standard_vm<'a>(
    executable: &'a Executable<EnvContext>,
    context: &'a mut EnvContext,
    input: Vec<u8>,
    heap_size: usize,
) -> Result<Vm<'a, EnvContext>, EnvError> {
    let regions = standard_regions(executable, input, heap_size)?;
    let memory = MemoryMapping::new(regions, executable.config(), executable.version())?;
    let mut vm = Vm::new(executable, context, memory);
    vm.set_register(1, MM_INPUT_START);
    Ok(vm)
}

/// Runs `executable` once in the standard environment with the interpreter.
pub fn run_interpreted(
    executable: &Executable<EnvContext>,
    setup: &RunSetup,
) -> Result<RunOutcome, EnvError> {
    run_with(executable, setup, Engine::Interpreter)
}

/// Runs `executable` once in the standard environment with `engine` (the JIT compiles the
/// executable on its first run, unless [`Executable::jit_compile`] did before).
pub fn run_with(
    executable: &Executable<EnvContext>,
    setup: &RunSetup,
    engine: Engine,
) -> Result<RunOutcome, EnvError> {
    let input = copied("input", &setup.input)?;
    let Driven {
        driven: ((instructions, result), input),
        pc,
        logs,
    } = run_driven(executable, setup.budget, input, setup.heap_size, |vm| {
        let ran = vm.execute_with(engine);
        let input = vm
            .memory
            .region(MM_INPUT_START)
            .map(|region| region.host_bytes().to_vec())
            .unwrap_or_default();
        (ran, input)
    })?;
    Ok(RunOutcome {
        result,
        instructions,
        pc,
        logs,
        input,
    })
}

/// What a run driven by its caller left: what the driver returned, where the run ended and what
/// it logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Driven<T> {
    /// What the driver returned (typically the count and the result).
    pub driven: T,
    /// Instruction index where the run ended.
    pub pc: usize,
    /// Logged messages.
    pub logs: Vec<Vec<u8>>,
}

/// Runs `executable` once in the standard environment — `budget` compute units, `input` (moved
/// in, not copied) with r1 pointing at it, `heap_size` heap bytes — with `drive` running the VM:
/// an engine, a tracer that single-steps, a debugger. The memory map is built before `drive` is
/// called; one that cannot be built is the error.
pub fn run_driven<T>(
    executable: &Executable<EnvContext>,
    budget: u64,
    input: Vec<u8>,
    heap_size: usize,
    drive: impl FnOnce(&mut Vm<'_, EnvContext>) -> T,
) -> Result<Driven<T>, EnvError> {
    let mut context = EnvContext::new(budget);
    let (driven, pc) = {
        let mut vm = standard_vm(executable, &mut context, input, heap_size)?;
        let driven = drive(&mut vm);
        (driven, vm.pc())
    };
    Ok(Driven {
        driven,
        pc,
        logs: context.logs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::SbpfVersion;
    use std::sync::Arc;

    fn executable(source: &str) -> Executable<EnvContext> {
        let runtime = Arc::new(standard_runtime(Config::default()));
        Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap()
    }

    #[test]
    fn a_driven_run_gives_back_what_the_driver_returned_with_the_pc_and_the_logs() {
        let executable = executable(
            "lddw r1, message\nmov64 r2, 2\nsyscall sol_log_\nldxb r0, [r10-1]\nexit\n\
             .rodata\nmessage: .ascii \"hi\"",
        );
        let run = run_driven(&executable, 1_000, vec![7], 0, |vm| {
            assert_eq!(vm.registers()[1], MM_INPUT_START);
            vm.execute()
        })
        .unwrap();
        assert_eq!(run.driven.1, Ok(0));
        assert_eq!(run.logs, vec![b"hi".to_vec()]);
        assert_eq!(run.pc, 5);
    }

    #[test]
    fn a_memory_map_that_cannot_be_built_is_the_error_and_the_driver_never_runs() {
        let executable = executable("exit");
        let too_big = usize::try_from(MAX_HEAP_SIZE)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let run = run_driven(&executable, 1_000, Vec::new(), too_big, |_| {
            panic!("the driver ran without a memory map")
        });
        assert!(run.is_err());
    }
}
