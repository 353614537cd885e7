//! The embedding API as an embedder meets it: syscalls that capture the host's state, a
//! syscall's guest-memory error as data to match, and the JIT engine on an executable nobody
//! compiled by hand.

use sbvm::isa::SbpfVersion;
use sbvm::memory::{MemoryMapping, MemoryRegion, MM_INPUT_START, MM_STACK_START};
use sbvm::vm::{
    AccessType, Budget, Config, EbpfError, Engine, Executable, Runtime, SyscallError, Vm,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Runs `executable` once on `engine` over a stack and `input`, with a budget of 1,000.
fn run(
    executable: &Executable<Budget>,
    engine: Engine,
    input: &mut [u8],
) -> (u64, Result<u64, EbpfError>) {
    let mut budget = Budget::new(1_000);
    let regions = vec![
        executable.ro_region(),
        MemoryRegion::owned(vec![0; executable.config().stack_size()], MM_STACK_START),
        MemoryRegion::writable(input, MM_INPUT_START),
    ];
    let memory = MemoryMapping::new(regions, executable.config(), executable.version()).unwrap();
    let mut vm = Vm::new(executable, &mut budget, memory);
    vm.set_register(1, MM_INPUT_START);
    vm.execute_with(engine)
}

fn load(source: &str, runtime: Runtime<Budget>) -> Executable<Budget> {
    Executable::from_assembly(source, SbpfVersion::V3, Arc::new(runtime)).unwrap()
}

/// What a shared executable needs (checked when this file compiles).
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn a_closure_that_captures_a_counter_registers_as_a_syscall() {
    assert_send_sync::<Runtime<Budget>>();
    assert_send_sync::<Executable<Budget>>();
    let calls = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&calls);
    let mut runtime = Runtime::<Budget>::new(Config::default());
    runtime
        .syscalls
        .register("count", move |_context, _memory, _args| {
            Ok(counter.fetch_add(1, Ordering::Relaxed) + 1)
        })
        .unwrap();
    // A plain `fn` item still registers beside it.
    fn seven(_: &mut Budget, _: &mut MemoryMapping<'_>, _: [u64; 5]) -> Result<u64, SyscallError> {
        Ok(7)
    }
    runtime.syscalls.register("seven", seven).unwrap();
    let executable = load("syscall count\nsyscall seven\nsyscall count\nexit", runtime);
    for (run_index, engine) in Engine::ALL.into_iter().enumerate() {
        let (instructions, result) = run(&executable, engine, &mut [0; 8]);
        // r0 is the counter's value after the second `count` of this run; 4 instructions.
        let expected = 2 * (run_index as u64 + 1);
        assert_eq!((instructions, result), (4, Ok(expected)), "{engine:?}");
    }
    // Two `count` calls per run, one run per engine.
    assert_eq!(calls.load(Ordering::Relaxed), 2 * Engine::ALL.len() as u64);
}

/// A syscall that reads `r2` bytes at `r1` and writes them back incremented at `r3`.
fn copy_plus_one(
    _context: &mut Budget,
    memory: &mut MemoryMapping<'_>,
    args: [u64; 5],
) -> Result<u64, SyscallError> {
    let bytes: Vec<u8> = memory
        .read_bytes(args[0], args[1])?
        .iter()
        .map(|b| b + 1)
        .collect();
    memory
        .write_bytes(args[2], args[1])?
        .copy_from_slice(&bytes);
    Ok(0)
}

#[test]
fn a_syscalls_memory_error_is_an_access_violation_with_address_and_length() {
    // Reads 16 bytes at 0x5_0000_0000, past every region (the input ends at 0x4_0000_0008).
    let unmapped = "lddw r1, 0x500000000\nmov64 r2, 16\nmov64 r3, r1\nsyscall copy\nexit";
    // Reads the input's 8 bytes, then writes 8 at input + 4, across the input's end.
    let across_the_end = "mov64 r2, 8\nmov64 r3, r1\nadd64 r3, 4\nsyscall copy\nexit";
    let cases = [
        // `EbpfError::AccessViolation`'s name for an address in no region.
        (
            unmapped,
            (AccessType::Load, 0x5_0000_0000, 16, "unallocated"),
        ),
        // The region that holds the address, MM_INPUT_START's.
        (
            across_the_end,
            (AccessType::Store, MM_INPUT_START + 4, 8, "input"),
        ),
    ];
    for (source, expected) in cases {
        let mut runtime = Runtime::<Budget>::new(Config::default());
        runtime.syscalls.register("copy", copy_plus_one).unwrap();
        let executable = load(source, runtime);
        for engine in Engine::ALL {
            let (_, result) = run(&executable, engine, &mut [1; 8]);
            let Err(EbpfError::SyscallError {
                error:
                    SyscallError::AccessViolation {
                        access,
                        vaddr,
                        len,
                        region,
                    },
            }) = result
            else {
                panic!("{engine:?}: {result:?}, expected {expected:?}\n{source}");
            };
            assert_eq!(
                (access, vaddr, len, region),
                expected,
                "{engine:?}\n{source}"
            );
        }
    }
}

#[test]
fn a_syscalls_own_failure_keeps_its_message() {
    let mut runtime = Runtime::<Budget>::new(Config::default());
    runtime
        .syscalls
        .register(
            "refuse",
            |_: &mut Budget, _: &mut MemoryMapping<'_>, _: [u64; 5]| Err(SyscallError::new("no")),
        )
        .unwrap();
    let executable = load("syscall refuse\nexit", runtime);
    let (_, result) = run(&executable, Engine::Interpreter, &mut []);
    let error = SyscallError::Host {
        message: "no".into(),
    };
    assert_eq!(result, Err(EbpfError::SyscallError { error }));
}

#[test]
fn the_jit_engine_compiles_an_executable_on_its_first_run() {
    let executable = load(
        "mov64 r0, 1\nadd64 r0, 41\nexit",
        Runtime::new(Config::default()),
    );
    assert!(!executable.is_jit_compiled());
    // No jit_compile: the JIT run compiles, and agrees with the interpreter (42 in 3).
    let compiled = run(&executable, Engine::Jit, &mut []);
    assert!(executable.is_jit_compiled());
    assert_eq!(compiled, run(&executable, Engine::Interpreter, &mut []));
    assert_eq!(compiled, (3, Ok(42)));
}
