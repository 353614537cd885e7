//! Linux eBPF ([`SbpfVersion::Ebpf`]) on both engines: random verified instruction streams
//! (every eBPF row, random fields and budgets), and memory-heavy assembly programs whose
//! loads, signed loads, stores and atomics hit the stack, the input, a writable and a
//! read-only data section — in bounds, at the edges and past them — mixed with total
//! divisions by 0, -1 and other values, sign-extending moves, byte swaps, calls and `callx`.
//!
//! Runs are set up as eBPF runs are (`ebpf::run`: the raw flavour, r1 = input, r2 = its
//! length), with two extra sections; the stack is sometimes a clean buffer (compiled code must
//! widen its dirty range before an atomic writes there, as before a store).

use super::common;
use common::gen::valid_program;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sbvm::ebpf::layout::{data_address, INPUT_START, STACK_START};
use sbvm::ebpf::run::{ebpf_config, ebpf_vm, Flavour};
use sbvm::env::EnvContext;
use sbvm::isa::SbpfVersion;
use sbvm::memory::{CleanBuffer, HostMemory, MemoryMapping, MemoryRegion};
use sbvm::vm::{EbpfError, Engine, Executable, FunctionRegistry, Runtime, Vm};
use std::sync::Arc;

/// The read-only data section's bytes (slot of `data_address(0)`).
pub const READ_ONLY: [u8; 32] = [0x5a; 32];
/// Bytes of the writable data section (slot of `data_address(1)`).
pub const WRITABLE_LEN: usize = 40;

/// Everything a run leaves behind.
#[derive(Debug, PartialEq, Eq)]
pub struct Observed {
    pub result: Result<u64, EbpfError>,
    pub instructions: u64,
    pub pc: usize,
    pub registers: [u64; 11],
    /// Host bytes of every region from the stack up (stack, input, data sections).
    pub memory: Vec<(u64, Vec<u8>)>,
}

/// The eBPF configuration, with helper 5 (`r1 + r2`) for `call 5` and `callx`.
pub fn runtime() -> Arc<Runtime<EnvContext>> {
    let mut runtime = Runtime::new(ebpf_config());
    runtime
        .syscalls
        .register_with_key(5, "add", |_: &mut EnvContext, _: &mut _, args: [u64; 5]| {
            Ok(args[0].wrapping_add(args[1]))
        })
        .expect("a fresh registry");
    Arc::new(runtime)
}

fn data_sections() -> Vec<MemoryRegion<'static>> {
    let read_only = HostMemory::Owned {
        bytes: READ_ONLY.to_vec(),
        writable: false,
    };
    let writable: Vec<u8> = (0..WRITABLE_LEN as u8).collect();
    vec![
        MemoryRegion::new(read_only, data_address(0).unwrap()),
        MemoryRegion::owned(writable, data_address(1).unwrap()),
    ]
}

/// One run of `executable` on `engine` over `input`, the stack a clean buffer when `clean`.
pub fn run(
    executable: &Executable<EnvContext>,
    engine: Engine,
    budget: u64,
    input: &[u8],
    clean: bool,
) -> Observed {
    let mut context = EnvContext::new(budget);
    let mut vm = if clean {
        let stack = CleanBuffer::zeroed(executable.config().stack_size());
        let mut regions = vec![
            executable.ro_region(),
            MemoryRegion::zeroed(stack, STACK_START),
            MemoryRegion::owned(input.to_vec(), INPUT_START),
        ];
        regions.extend(data_sections());
        let memory = MemoryMapping::new(regions, executable.config(), executable.version())
            .expect("the eBPF layout");
        let mut vm = Vm::new(executable, &mut context, memory);
        vm.set_register(1, INPUT_START);
        vm.set_register(2, input.len() as u64);
        vm
    } else {
        ebpf_vm(
            executable,
            &mut context,
            &Flavour::Raw,
            input.to_vec(),
            data_sections(),
        )
        .expect("the eBPF layout")
    };
    let (instructions, result) = vm.execute_with(engine);
    let memory = vm
        .memory
        .regions()
        .iter()
        .filter(|region| region.vm_addr >= STACK_START)
        .map(|region| (region.vm_addr, region.host_bytes().to_vec()))
        .collect();
    Observed {
        result,
        instructions,
        pc: vm.pc(),
        registers: vm.registers(),
        memory,
    }
}

/// Runs both engines (the JIT compiled first) and asserts they agree; returns the
/// interpreter's observation.
pub fn compare(
    executable: &mut Executable<EnvContext>,
    budget: u64,
    input: &[u8],
    clean: bool,
    label: &str,
) -> Observed {
    executable.jit_compile().unwrap();
    let interpreted = run(executable, Engine::Interpreter, budget, input, clean);
    let compiled = run(executable, Engine::Jit, budget, input, clean);
    assert_eq!(compiled, interpreted, "{label}");
    interpreted
}

fn kind(observed: &Observed) -> &'static str {
    observed
        .result
        .as_ref()
        .map_or_else(|e| e.kind_name(), |_| "ok")
}

#[test]
fn random_ebpf_instruction_streams_agree() {
    let mut kinds = std::collections::BTreeSet::new();
    let (mut verified, mut rejected) = (0, 0);
    for seed in common::seeds(400) {
        let mut rng = StdRng::seed_from_u64(seed);
        let text = valid_program(&mut rng, SbpfVersion::Ebpf, 40);
        let label = format!("seed {seed}");
        // The generator's junk fields are SBPF's: in eBPF a junk `src` of an `lddw` names a
        // pseudo source, which the verifier refuses. Those programs are skipped.
        let loaded = Executable::from_text_bytes(
            &text,
            SbpfVersion::Ebpf,
            runtime(),
            FunctionRegistry::default(),
        );
        let Ok(mut executable) = loaded else {
            rejected += 1;
            continue;
        };
        verified += 1;
        let budget = rng.random_range(1..400);
        let input: Vec<u8> = (0..64).map(|_| rng.random()).collect();
        let label = format!("{label} budget {budget}");
        let observed = compare(&mut executable, budget, &input, seed % 2 == 0, &label);
        kinds.insert(kind(&observed));
    }
    eprintln!("eBPF streams: {verified} verified, {rejected} rejected; outcomes {kinds:?}");
    assert!(
        verified >= rejected,
        "{verified} verified, {rejected} rejected"
    );
    assert!(kinds.len() >= 4, "outcomes seen: {kinds:?}");
}

/// A base register and an offset for an access: the input (r1), the stack (r10, whose frame
/// is 512 bytes below it, the rest of the stack below that and then nothing), the read-only
/// section (r9) or the writable one (r8).
fn place(rng: &mut StdRng) -> String {
    let (base, offset) = match rng.random_range(0..8) {
        0..=2 => ("r1", rng.random_range(-4..70)),
        3..=5 => ("r10", -rng.random_range(1..600)),
        6 => ("r9", rng.random_range(-4..36)),
        _ => ("r8", rng.random_range(-4..44)),
    };
    format!("[{base}{offset:+}]")
}

/// A memory-heavy eBPF program: r1 = input (64 bytes), r10 = stack, r9 = read-only section,
/// r8 = writable section; r2–r7 scratch; r6 counts loop trips.
fn memory_program(rng: &mut StdRng) -> String {
    let mut lines = vec![
        "entrypoint:".to_string(),
        format!("lddw r9, {:#x}", data_address(0).unwrap()),
        format!("lddw r8, {:#x}", data_address(1).unwrap()),
        "mov64 r6, 0".to_string(),
    ];
    let sizes = ["b", "h", "w", "dw"];
    let scratch = |rng: &mut StdRng| rng.random_range(2..8);
    let body = rng.random_range(10..60);
    for index in 0..body {
        lines.push(format!("l{index}:"));
        let size = sizes[rng.random_range(0..4)];
        let line = match rng.random_range(0..16) {
            0..=1 => format!("ldx{size} r{}, {}", scratch(rng), place(rng)),
            2 => {
                let signed = ["b", "h", "w"][rng.random_range(0..3)];
                format!("ldxs{signed} r{}, {}", scratch(rng), place(rng))
            }
            3 => format!("stx{size} {}, r{}", place(rng), scratch(rng)),
            4 => format!("st{size} {}, {}", place(rng), rng.random::<i16>()),
            5..=7 => {
                let ops = ["add", "or", "and", "xor"];
                let op = ops[rng.random_range(0..4)];
                let mnemonic = match rng.random_range(0..4) {
                    0 => format!("lock_{op}"),
                    1 => format!("lock_fetch_{op}"),
                    2 => "lock_xchg".to_string(),
                    _ => "lock_cmpxchg".to_string(),
                };
                let bits = if rng.random_bool(0.5) { 32 } else { 64 };
                format!("{mnemonic}{bits} {}, r{}", place(rng), scratch(rng))
            }
            8 => {
                // The divisors that need care: 0, -1, and MIN as a dividend.
                let value = ["0", "-1", "1", "0x8000000000000000", "0xffffffff80000000"]
                    [rng.random_range(0..5)];
                format!("lddw r{}, {value}", scratch(rng))
            }
            9..=10 => {
                let ops = ["div", "mod", "sdiv", "smod"];
                let op = ops[rng.random_range(0..4)];
                let bits = if rng.random_bool(0.5) { 32 } else { 64 };
                let (dst, src) = (scratch(rng), scratch(rng));
                // Dividends with both halves set, and the divisors that need care.
                if rng.random_bool(0.4) {
                    let value =
                        ["0x8000000000000000", "0xffffffff80000000", "-13"][rng.random_range(0..3)];
                    lines.push(format!("lddw r{dst}, {value}"));
                }
                let special = ["0", "-1", "1", "0xffffffff", "0x100000000", "3"];
                let operand = match rng.random_range(0..4) {
                    0 => format!("r{src}"),
                    1 => {
                        let value = special[rng.random_range(0..special.len())];
                        lines.push(format!("lddw r{src}, {value}"));
                        format!("r{src}")
                    }
                    2 => ["0", "-1", "1"][rng.random_range(0..3)].to_string(),
                    _ => rng.random_range(-70000i64..70000).to_string(),
                };
                format!("{op}{bits} r{dst}, {operand}")
            }
            11 => {
                let moves = [
                    "movsx832",
                    "movsx1632",
                    "movsx864",
                    "movsx1664",
                    "movsx3264",
                ];
                let mnemonic = moves[rng.random_range(0..moves.len())];
                format!("{mnemonic} r{}, r{}", scratch(rng), scratch(rng))
            }
            12 => {
                let swaps = ["bswap16", "bswap32", "bswap64", "be16", "le32"];
                format!("{} r{}", swaps[rng.random_range(0..5)], scratch(rng))
            }
            13 => {
                // A short loop back (bounded by r6).
                let target = rng.random_range(0..=index);
                lines.push("add64 r6, 1".to_string());
                format!("jlt r6, {}, l{target}", rng.random_range(2..12))
            }
            14 => "call function_helper".to_string(),
            _ => {
                lines.push("mov64 r0, 5".to_string());
                "callx r0".to_string()
            }
        };
        lines.push(line);
    }
    lines.push(format!("l{body}:"));
    lines.push("mov64 r0, r6".to_string());
    lines.push("exit".to_string());
    // A function with its own frame: a store and atomics there.
    lines.push("function_helper:".to_string());
    lines.push("stxdw [r10-8], r6".to_string());
    lines.push("lock_fetch_add64 [r10-8], r7".to_string());
    lines.push("lock_cmpxchg32 [r10-12], r7".to_string());
    lines.push("ldxdw r7, [r10-8]".to_string());
    lines.push("exit".to_string());
    lines.join("\n") + "\n"
}

#[test]
fn memory_heavy_ebpf_programs_agree() {
    let mut kinds = std::collections::BTreeSet::new();
    for seed in common::seeds(300) {
        let mut rng = StdRng::seed_from_u64(seed);
        let source = memory_program(&mut rng);
        let mut executable = Executable::from_assembly(&source, SbpfVersion::Ebpf, runtime())
            .unwrap_or_else(|error| panic!("seed {seed}: {error}\n{source}"));
        let budget = rng.random_range(1..2000);
        let input: Vec<u8> = (0..64).map(|_| rng.random()).collect();
        let clean = rng.random_bool(0.5);
        let label = format!("seed {seed} budget {budget} clean {clean}\n{source}");
        let observed = compare(&mut executable, budget, &input, clean, &label);
        kinds.insert(kind(&observed));
    }
    eprintln!("eBPF memory-heavy outcomes seen: {kinds:?}");
    assert!(kinds.len() >= 3, "outcomes seen: {kinds:?}");
}
