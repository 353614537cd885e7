//! The JIT against the interpreter on random programs of every version: result, error,
//! instruction count, final pc, registers and the input memory after the run must all be equal.
//! The interpreter is itself checked against the reference (conformance, execution_properties);
//! here it is the specification the JIT must meet.
//!
//! Two generators: arbitrary verified instruction streams (every opcode of the version, random
//! fields, random budgets), and memory-heavy assembly programs whose loads and stores mostly hit
//! the stack, the input and the heap — in bounds, at the edges, in the V0 stack gaps and past
//! the end — with calls, divisions and large immediates mixed in.
//!
//! The Linux eBPF dialect has its own generators (`ebpf`) and one targeted program per new op,
//! with the values RFC 9669 gives (`ebpf_ops`).
//!
//! A quick run is part of `cargo test`; `SBVM_SEEDS=20000 cargo test --release --test
//! jit_differential` is the long one.

mod common;
#[path = "jit_differential/ebpf.rs"]
mod ebpf;
#[path = "jit_differential/ebpf_ops.rs"]
mod ebpf_ops;

use common::gen::valid_program;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sbvm::env::{standard_runtime, standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::memory::MM_INPUT_START;
use sbvm::vm::{Config, EbpfError, Engine, Executable};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq)]
struct Observed {
    result: Result<u64, EbpfError>,
    instructions: u64,
    pc: usize,
    registers: [u64; 11],
    input: Vec<u8>,
}

fn run(executable: &Executable<EnvContext>, engine: Engine, budget: u64, input: &[u8]) -> Observed {
    let mut context = EnvContext::new(budget);
    let mut vm = standard_vm(executable, &mut context, input.to_vec(), 1024).unwrap();
    let (instructions, result) = vm.execute_with(engine);
    Observed {
        result,
        instructions,
        pc: vm.pc(),
        registers: vm.registers(),
        input: vm
            .memory
            .region(MM_INPUT_START)
            .map(|region| region.host_bytes().to_vec())
            .unwrap_or_default(),
    }
}

/// Runs both engines and compares; returns the outcome's kind.
fn compare(
    mut executable: Executable<EnvContext>,
    budget: u64,
    input: &[u8],
    label: &str,
) -> &'static str {
    executable.jit_compile().unwrap();
    let interpreted = run(&executable, Engine::Interpreter, budget, input);
    let compiled = run(&executable, Engine::Jit, budget, input);
    assert_eq!(compiled, interpreted, "{label}");
    interpreted
        .result
        .as_ref()
        .map_or_else(|e| e.kind_name(), |_| "ok")
}

#[test]
fn random_instruction_streams_agree() {
    let mut kinds = std::collections::BTreeSet::new();
    for seed in common::seeds(200) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL {
            let text = valid_program(&mut rng, version, 40);
            let executable =
                common::raw_executable(&text, version).expect("generated programs verify");
            let budget = rng.random_range(1..400);
            let label = format!("seed {seed} {version} budget {budget}");
            kinds.insert(compare(executable, budget, &[7u8; 64], &label));
        }
    }
    assert!(kinds.len() >= 6, "outcomes seen: {kinds:?}");
}

/// A memory-heavy program in assembly: r1 = input (64 bytes), r10 = stack, r9 = heap.
fn memory_program(rng: &mut StdRng, version: SbpfVersion) -> String {
    let mut lines = vec![
        "entrypoint:".to_string(),
        "mov64 r9, 3".to_string(),
        "lsh64 r9, 32".to_string(),
    ];
    let sizes = ["b", "h", "w", "dw"];
    let scratch = |rng: &mut StdRng| rng.random_range(2..9);
    let body = rng.random_range(10..60);
    for index in 0..body {
        lines.push(format!("l{index}:"));
        let size = sizes[rng.random_range(0..4)];
        match rng.random_range(0..14) {
            0..=2 => {
                // Input: mostly in bounds, sometimes at or past the end.
                let offset = rng.random_range(-4..70);
                lines.push(format!("ldx{size} r{}, [r1{offset:+}]", scratch(rng)));
            }
            3..=4 => {
                let offset = rng.random_range(-4..70);
                lines.push(format!("stx{size} [r1{offset:+}], r{}", scratch(rng)));
            }
            5..=6 => {
                // Stack: the frame, and below it into the V0 gap.
                let offset = -rng.random_range(1..4200);
                lines.push(format!("stx{size} [r10{offset:+}], r{}", scratch(rng)));
            }
            7 => {
                let offset = -rng.random_range(1..4200);
                lines.push(format!("ldx{size} r{}, [r10{offset:+}]", scratch(rng)));
            }
            8 => {
                let offset = rng.random_range(-8..1100);
                let value: i32 = rng.random();
                lines.push(format!("st{size} [r9{offset:+}], {value}"));
            }
            9 if !version.disable_lddw() => {
                let value: i64 = rng.random();
                lines.push(format!("lddw r{}, {value}", scratch(rng)));
            }
            10 => {
                let ops = [
                    "add64", "sub64", "mul64", "xor64", "or64", "and64", "lsh64", "rsh64",
                    "arsh64", "mov32", "add32", "mul32", "div64", "mod64", "div32", "mod32",
                ];
                let mut op = ops[rng.random_range(0..ops.len())];
                if version.enable_pqr() {
                    // PQR versions name multiplication and division by signedness.
                    let pqr = [
                        "lmul64", "udiv64", "urem64", "sdiv64", "srem64", "lmul32", "udiv32",
                        "urem32", "sdiv32", "srem32", "uhmul64", "shmul64",
                    ];
                    if op.starts_with("mul") || op.starts_with("div") || op.starts_with("mod") {
                        op = pqr[rng.random_range(0..pqr.len())];
                    }
                }
                let operand = if rng.random_bool(0.5) {
                    format!("r{}", scratch(rng))
                } else if op.contains("sh") {
                    format!("{}", rng.random_range(0..32))
                } else {
                    // The verifier refuses a constant zero divisor.
                    let value = rng.random_range(-70000i64..70000);
                    format!("{}", if value == 0 { 7 } else { value })
                };
                lines.push(format!("{op} r{}, {operand}", scratch(rng)));
            }
            11 => {
                let target = rng.random_range(0..=body);
                let conds = ["jeq", "jne", "jgt", "jsgt", "jlt", "jset"];
                let cond = conds[rng.random_range(0..conds.len())];
                lines.push(format!(
                    "{cond} r{}, {}, l{target}",
                    scratch(rng),
                    rng.random_range(-300..300)
                ));
            }
            12 => lines.push("call function_helper".to_string()),
            _ => lines.push(format!("mov64 r{}, r10", scratch(rng))),
        }
    }
    lines.push(format!("l{body}:"));
    lines.push("mov64 r0, r6".to_string());
    lines.push("exit".to_string());
    // A helper that touches its own frame (a fresh frame in V0: the gapped stack).
    lines.push("function_helper:".to_string());
    lines.push("stxdw [r10-8], r6".to_string());
    lines.push("ldxdw r6, [r10-8]".to_string());
    lines.push("add64 r6, 1".to_string());
    if !version.dynamic_stack_frames() {
        lines.push("stb [r10-4097], 1".to_string());
    }
    lines.push("exit".to_string());
    lines.join("\n") + "\n"
}

#[test]
fn memory_heavy_programs_agree() {
    let mut kinds = std::collections::BTreeSet::new();
    for seed in common::seeds(200) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL {
            let source = memory_program(&mut rng, version);
            let runtime = Arc::new(standard_runtime(common::config_for(version)));
            let executable = match Executable::from_assembly(&source, version, runtime) {
                Ok(executable) => executable,
                Err(error) => panic!("seed {seed} {version}: {error}\n{source}"),
            };
            let budget = rng.random_range(1..2000);
            let input: Vec<u8> = (0..64).map(|_| rng.random()).collect();
            let label = format!("seed {seed} {version} budget {budget}\n{source}");
            kinds.insert(compare(executable, budget, &input, &label));
        }
    }
    eprintln!("memory-heavy outcomes seen: {kinds:?}");
    assert!(kinds.len() >= 4, "outcomes seen: {kinds:?}");
}

#[test]
fn deep_call_depth_configs_agree() {
    // Beyond NATIVE_CALL_DEPTH_LIMIT (1024) the JIT returns through its dispatch table instead
    // of host call/ret; the recursion below goes deep enough to use it at every level.
    let source = "mov64 r6, 0\ncall function_down\nmov64 r0, r6\nexit\n\
                  function_down:\nadd64 r6, 1\njge r6, 1050, +1\ncall function_down\nexit\n";
    for version in SbpfVersion::ALL {
        let deep = Config {
            max_call_depth: 1100,
            ..common::config_for(version)
        };
        for budget in [10, 2000, 3170, 3171, 3172, 1_000_000] {
            let runtime = Arc::new(standard_runtime(deep.clone()));
            let executable = Executable::from_assembly(source, version, runtime).unwrap();
            let label = format!("{version} budget {budget}");
            let kind = compare(executable, budget, &[], &label);
            // By the program's structure: 1050 nested calls fit in 1100 frames.
            if budget == 1_000_000 {
                assert_eq!(kind, "ok", "{label}");
            }
        }
    }
}

/// An input slot split into regions the way Solana's serializer splits it (metadata and account
/// data apart, unmapped room between some, read-only ones among them): random start offsets and
/// lengths, in address order, each writable or not.
fn split_input(rng: &mut StdRng) -> Vec<(u64, Vec<u8>, bool)> {
    let mut pieces = Vec::new();
    let mut at = 0u64;
    for _ in 0..rng.random_range(1..12) {
        let len = rng.random_range(1..96);
        let bytes = (0..len).map(|_| rng.random()).collect();
        pieces.push((at, bytes, rng.random_bool(0.7)));
        at += len as u64 + [0, 0, 8, 40][rng.random_range(0..4)];
    }
    pieces
}

/// Loads and stores all over a split input (r1 = its start), many in loops, so that accesses
/// move from region to region while compiled code runs: the window of the input slot misses
/// and the slot's list must find the right region, or refuse exactly where the interpreter
/// faults.
fn split_input_program(rng: &mut StdRng, span: i64) -> String {
    let mut lines = vec!["entrypoint:".to_string(), "mov64 r9, 0".to_string()];
    let sizes = ["b", "h", "w", "dw"];
    let body = rng.random_range(4..30);
    for index in 0..body {
        lines.push(format!("l{index}:"));
        let size = sizes[rng.random_range(0..4)];
        let offset = rng.random_range(-4..span + 4);
        let scratch = rng.random_range(2..9);
        match rng.random_range(0..6) {
            0..=2 => lines.push(format!("ldx{size} r{scratch}, [r1{offset:+}]")),
            3 => lines.push(format!("stx{size} [r1{offset:+}], r{scratch}")),
            4 => lines.push(format!("st{size} [r1{offset:+}], {}", rng.random::<i8>())),
            _ => {
                // A short loop back over earlier accesses (bounded by r9).
                let target = rng.random_range(0..=index);
                lines.push("add64 r9, 1".to_string());
                lines.push(format!("jlt r9, {}, l{target}", rng.random_range(2..12)));
            }
        }
    }
    lines.push("mov64 r0, r9".to_string());
    lines.push("exit".to_string());
    lines.join("\n") + "\n"
}

#[test]
fn split_input_slot_agrees() {
    use sbvm::env::standard_regions;
    use sbvm::memory::{HostMemory, MemoryMapping, MemoryRegion};
    use sbvm::vm::Vm;
    let mut kinds = std::collections::BTreeSet::new();
    for seed in common::seeds(300) {
        let mut rng = StdRng::seed_from_u64(seed);
        // V4 maps one region per slot (aligned): the split input is for V0–V3.
        let version = SbpfVersion::ALL[rng.random_range(0..4)];
        let pieces = split_input(&mut rng);
        let span = pieces
            .last()
            .map_or(0, |(at, bytes, _)| *at + bytes.len() as u64) as i64;
        let source = split_input_program(&mut rng, span);
        let runtime = Arc::new(standard_runtime(common::config_for(version)));
        let mut executable = Executable::from_assembly(&source, version, runtime)
            .unwrap_or_else(|error| panic!("seed {seed}: {error}\n{source}"));
        executable.jit_compile().unwrap();
        let budget = rng.random_range(1..600);
        let observe = |engine: Engine| {
            let mut regions = standard_regions(&executable, Vec::new(), 64).unwrap();
            regions.pop();
            for (at, bytes, writable) in &pieces {
                let memory = HostMemory::Owned {
                    bytes: bytes.clone(),
                    writable: *writable,
                };
                regions.push(MemoryRegion::new(memory, MM_INPUT_START + at));
            }
            let memory =
                MemoryMapping::new(regions, executable.config(), executable.version()).unwrap();
            let mut context = EnvContext::new(budget);
            let mut vm = Vm::new(&executable, &mut context, memory);
            vm.set_register(1, MM_INPUT_START);
            let (instructions, result) = vm.execute_with(engine);
            let input: Vec<Vec<u8>> = vm
                .memory
                .regions()
                .iter()
                .filter(|region| region.vm_addr >= MM_INPUT_START)
                .map(|region| region.host_bytes().to_vec())
                .collect();
            (result, instructions, vm.pc(), vm.registers(), input)
        };
        let interpreted = observe(Engine::Interpreter);
        let compiled = observe(Engine::Jit);
        assert_eq!(compiled, interpreted, "seed {seed} {version}\n{source}");
        kinds.insert(interpreted.0.map_or_else(|e| e.kind_name(), |_| "ok"));
    }
    assert!(kinds.len() >= 2, "outcomes seen: {kinds:?}");
}

/// The memory-heavy programs again, with the stack and the heap on clean buffers (zero outside
/// a dirty prefix and suffix that every write must widen first, as the Solana runtime maps
/// them), reused from run to run: both engines agree, leave the same dirty range (compiled code
/// widens it exactly as the host does), and after cleaning, the buffers are all zero again —
/// nothing was written outside the range.
#[test]
fn clean_buffers_stay_clean() {
    use sbvm::env::standard_regions;
    use sbvm::memory::{CleanBuffer, HostMemory, MemoryMapping, MemoryRegion};
    use sbvm::memory::{MM_HEAP_START, MM_STACK_START};
    use sbvm::vm::Vm;
    let mut buffers = None;
    for seed in common::seeds(200) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in SbpfVersion::ALL {
            let source = memory_program(&mut rng, version);
            let runtime = Arc::new(standard_runtime(common::config_for(version)));
            let mut executable = Executable::from_assembly(&source, version, runtime)
                .unwrap_or_else(|error| panic!("seed {seed} {version}: {error}\n{source}"));
            executable.jit_compile().unwrap();
            let budget = rng.random_range(1..2000);
            let input: Vec<u8> = (0..64).map(|_| rng.random()).collect();
            let stack_len = executable.config().stack_size();
            // A heap length off the 1 KiB granule: the dirty ends stop at its end.
            let (mut stack, mut heap) = buffers
                .take()
                .filter(|(stack, _): &(CleanBuffer, CleanBuffer)| stack.len() == stack_len)
                .unwrap_or_else(|| (CleanBuffer::zeroed(stack_len), CleanBuffer::zeroed(1100)));
            let mut observed = Vec::new();
            for engine in [Engine::Interpreter, Engine::Jit] {
                let mut regions = standard_regions(&executable, input.clone(), 0).unwrap();
                regions.retain(|region| region.vm_addr != MM_STACK_START);
                regions.retain(|region| region.vm_addr != MM_HEAP_START);
                regions.push(MemoryRegion::zeroed(stack, MM_STACK_START));
                regions.push(MemoryRegion::zeroed(heap, MM_HEAP_START));
                let memory =
                    MemoryMapping::new(regions, executable.config(), executable.version()).unwrap();
                let mut context = EnvContext::new(budget);
                let mut vm = Vm::new(&executable, &mut context, memory);
                vm.set_register(1, MM_INPUT_START);
                let (instructions, result) = vm.execute_with(engine);
                let (pc, registers) = (vm.pc(), vm.registers());
                let (memory, _) = vm.into_parts();
                let mut taken = Vec::new();
                for region in memory.into_regions() {
                    let at = region.vm_addr;
                    if let HostMemory::Clean(buffer) = region.into_memory() {
                        taken.push((at, buffer));
                    }
                }
                taken.sort_by_key(|(at, _)| *at);
                let [(_, mut taken_stack), (_, mut taken_heap)]: [(u64, CleanBuffer); 2] =
                    taken.try_into().expect("the stack and the heap");
                let contents = (taken_stack.bytes().to_vec(), taken_heap.bytes().to_vec());
                let dirty = (taken_stack.dirty(), taken_heap.dirty());
                observed.push((result, instructions, pc, registers, contents, dirty));
                for buffer in [&mut taken_stack, &mut taken_heap] {
                    buffer.clean();
                    let label = format!("seed {seed} {version} {engine:?}: clean");
                    assert!(buffer.bytes().iter().all(|byte| *byte == 0), "{label}");
                }
                (stack, heap) = (taken_stack, taken_heap);
            }
            assert_eq!(observed[1], observed[0], "seed {seed} {version}\n{source}");
            buffers = Some((stack, heap));
        }
    }
}
