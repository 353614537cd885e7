//! Runs with compiled code that stop at marked pcs (`Vm::run_jit_until`, what `sbvm debug
//! --engine jit` runs) against the interpreter, which is the reference: an interpreter run
//! that steps one instruction at a time and notes every boundary where the next pc is marked
//! must see the same stops — pc, registers, instruction count, remaining budget — and the same
//! end (result, count, pc, registers, memory) as a JIT run that stops at the marks and steps
//! past each one with `Vm::step`.
//!
//! Random programs of every SBPF version and of eBPF (random verified instruction streams, and
//! assembly with loops, calls, `callx`, syscalls that consume budget, loads, stores and
//! divisions), random budgets (many run out), random mark sets; marks changed at stops;
//! allowances of 1, 7 and random sizes, each pause checked against the interpreter's
//! boundaries; a syscall that runs another VM (itself stopping at marks) in the middle.

mod common;
#[path = "jit_stops/programs.rs"]
mod programs;

use common::gen::valid_program;
use programs::{ebpf_runtime, mixed_program, sbpf_runtime};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sbvm::ebpf::run::{ebpf_vm, Flavour};
use sbvm::env::{standard_vm, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{EbpfError, Executable, FunctionRegistry, Pause, StopMarks, StopReason, Vm};

/// Every version the JIT runs.
const VERSIONS: [SbpfVersion; 6] = [
    SbpfVersion::V0,
    SbpfVersion::V1,
    SbpfVersion::V2,
    SbpfVersion::V3,
    SbpfVersion::V4,
    SbpfVersion::Ebpf,
];

/// The state at an instruction boundary, as a debugger shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    pc: usize,
    registers: [u64; 11],
    count: u64,
    remaining: u64,
}

fn snapshot(vm: &Vm<'_, EnvContext>) -> Snapshot {
    Snapshot {
        pc: vm.pc(),
        registers: vm.registers(),
        count: vm.instruction_count(),
        remaining: vm.remaining_budget(),
    }
}

/// How a run ended.
#[derive(Debug, PartialEq, Eq)]
struct Ending {
    reason: StopReason,
    outcome: Option<Result<u64, EbpfError>>,
    at: Snapshot,
    memory: Vec<(u64, Vec<u8>)>,
}

fn ending(vm: &Vm<'_, EnvContext>, reason: StopReason) -> Ending {
    Ending {
        reason,
        outcome: vm.outcome().cloned(),
        at: snapshot(vm),
        memory: vm
            .memory
            .regions()
            .iter()
            .map(|region| (region.vm_addr, region.host_bytes().to_vec()))
            .collect(),
    }
}

/// What changes the marks at a stop (the same choices on both sides: a seeded generator).
fn change_marks(rng: &mut StdRng, marks: &mut StopMarks) {
    let len = marks.len().max(1);
    match rng.random_range(0..6) {
        0 => marks.mark(rng.random_range(0..len)),
        1 => marks.unmark(rng.random_range(0..len)),
        2 => marks.clear(),
        _ => {}
    }
}

/// The reference: one interpreted step at a time. Returns the stops (where the next pc was
/// marked), every boundary in order (`trace[k]`: before step `k`), and the end.
fn interpret(
    vm: &mut Vm<'_, EnvContext>,
    mut marks: StopMarks,
    changes: Option<u64>,
) -> (Vec<Snapshot>, Vec<Snapshot>, Ending) {
    let mut rng = changes.map(StdRng::seed_from_u64);
    let (mut stops, mut trace) = (Vec::new(), Vec::new());
    loop {
        let here = snapshot(vm);
        trace.push(here.clone());
        if marks.is_marked(vm.pc()) {
            stops.push(here);
            if let Some(rng) = rng.as_mut() {
                change_marks(rng, &mut marks);
            }
        }
        let reason = vm.step();
        if reason != StopReason::Stepped {
            return (stops, trace, ending(vm, reason));
        }
    }
}

/// The JIT side: `run_jit_until` with `allowance`, stepping past each mark. Every pause must
/// be one of the reference's boundaries, later than the last; an allowance pause must come
/// after at least `allowance` instructions and at most one straight-line run more.
fn run_stopping(
    vm: &mut Vm<'_, EnvContext>,
    mut marks: StopMarks,
    changes: Option<u64>,
    allowance: u64,
    trace: &[Snapshot],
    label: &str,
) -> (Vec<Snapshot>, Ending) {
    let mut rng = changes.map(StdRng::seed_from_u64);
    let text = vm.executable().text().len() as u64 / 8;
    let metered = vm.executable().config().enable_instruction_meter;
    let mut stops = Vec::new();
    // Index in `trace` of the boundary the VM is at.
    let mut at = 0usize;
    loop {
        let pause = vm.run_jit_until(&marks, allowance);
        if let Pause::Ended(reason) = pause {
            return (stops, ending(vm, reason));
        }
        let here = snapshot(vm);
        let found = trace[at..].iter().position(|boundary| *boundary == here);
        let Some(ran) = found else {
            panic!("{label}: paused ({pause:?}) at a state the interpreter never had: {here:?}");
        };
        if pause == Pause::AllowanceSpent && metered {
            let most = allowance.saturating_add(text) as usize;
            assert!(
                ran as u64 >= allowance && ran <= most,
                "{label}: {ran} instructions for an allowance of {allowance}"
            );
        }
        at += ran;
        if pause == Pause::AllowanceSpent {
            continue;
        }
        assert!(
            marks.is_marked(vm.pc()),
            "{label}: stopped at an unmarked pc"
        );
        stops.push(here);
        if let Some(rng) = rng.as_mut() {
            change_marks(rng, &mut marks);
        }
        let reason = vm.step();
        at += 1;
        if reason != StopReason::Stepped {
            return (stops, ending(vm, reason));
        }
    }
}

/// A VM over `executable` in its dialect's layout (64 bytes of input).
fn new_vm<'a>(
    executable: &'a Executable<EnvContext>,
    context: &'a mut EnvContext,
    input: &[u8],
) -> Vm<'a, EnvContext> {
    if executable.version() == SbpfVersion::Ebpf {
        ebpf_vm(
            executable,
            context,
            &Flavour::Raw,
            input.to_vec(),
            Vec::new(),
        )
        .unwrap()
    } else {
        standard_vm(executable, context, input.to_vec(), 1024).unwrap()
    }
}

/// Random marks: each pc with probability `density`.
fn random_marks(rng: &mut StdRng, executable: &Executable<EnvContext>) -> StopMarks {
    let len = executable.text().len() / 8;
    let density = [0.0, 0.02, 0.1, 0.5, 1.0][rng.random_range(0..5)];
    let mut marks = StopMarks::new(len);
    for pc in 0..len {
        if rng.random_bool(density) {
            marks.mark(pc);
        }
    }
    marks
}

/// Both sides on one program; returns the end's kind and the number of stops.
fn compare(
    executable: &Executable<EnvContext>,
    rng: &mut StdRng,
    budget: u64,
    label: &str,
) -> (&'static str, usize) {
    let input: Vec<u8> = (0..64).map(|_| rng.random()).collect();
    let marks = random_marks(rng, executable);
    let changes = rng.random_bool(0.3).then(|| rng.random::<u64>());
    let allowance = [u64::MAX, u64::MAX, 1, 7, rng.random_range(1..60)][rng.random_range(0..5)];
    let label = format!("{label} budget {budget} allowance {allowance} changes {changes:?}");
    let mut context = EnvContext::new(budget);
    let mut vm = new_vm(executable, &mut context, &input);
    let (stops, trace, interpreted) = interpret(&mut vm, marks.clone(), changes);
    let mut context = EnvContext::new(budget);
    let mut vm = new_vm(executable, &mut context, &input);
    let (jit_stops, compiled) = run_stopping(&mut vm, marks, changes, allowance, &trace, &label);
    assert_eq!(jit_stops, stops, "{label}: stops");
    assert_eq!(compiled, interpreted, "{label}: end");
    let kind = match &interpreted.outcome {
        Some(Ok(_)) => "ok",
        Some(Err(error)) => error.kind_name(),
        None => "none",
    };
    (kind, stops.len())
}

#[test]
fn random_instruction_streams_stop_where_the_interpreter_does() {
    let mut kinds = std::collections::BTreeSet::new();
    let mut stops = 0;
    for seed in common::seeds(120) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in VERSIONS {
            let text = valid_program(&mut rng, version, 40);
            let runtime = if version == SbpfVersion::Ebpf {
                ebpf_runtime()
            } else {
                sbpf_runtime(version, true)
            };
            let loaded =
                Executable::from_text_bytes(&text, version, runtime, FunctionRegistry::default());
            // eBPF refuses some of the generator's junk fields (see jit_differential).
            let Ok(executable) = loaded else {
                assert_eq!(
                    version,
                    SbpfVersion::Ebpf,
                    "seed {seed}: generated SBPF verifies"
                );
                continue;
            };
            let budget = rng.random_range(1..400);
            let label = format!("streams seed {seed} {version}");
            let (kind, count) = compare(&executable, &mut rng, budget, &label);
            kinds.insert(kind);
            stops += count;
        }
    }
    eprintln!("random streams: {stops} stops, outcomes {kinds:?}");
    assert!(kinds.len() >= 5, "outcomes seen: {kinds:?}");
}

#[test]
fn mixed_programs_stop_where_the_interpreter_does() {
    let mut kinds = std::collections::BTreeSet::new();
    let mut stops = 0;
    for seed in common::seeds(120) {
        let mut rng = StdRng::seed_from_u64(seed);
        for version in VERSIONS {
            let source = mixed_program(&mut rng, version);
            let metered = version == SbpfVersion::Ebpf || rng.random_bool(0.9);
            let runtime = if version == SbpfVersion::Ebpf {
                ebpf_runtime()
            } else {
                sbpf_runtime(version, metered)
            };
            let executable = Executable::from_assembly(&source, version, runtime)
                .unwrap_or_else(|error| panic!("seed {seed} {version}: {error}\n{source}"));
            let budget = [
                rng.random_range(1..300),
                rng.random_range(300..3000),
                1 << 16,
            ][rng.random_range(0..3)];
            let label = format!("mixed seed {seed} {version} metered {metered}\n{source}");
            let (kind, count) = compare(&executable, &mut rng, budget, &label);
            kinds.insert(kind);
            stops += count;
        }
    }
    eprintln!("mixed programs: {stops} stops, outcomes {kinds:?}");
    assert!(kinds.len() >= 3, "outcomes seen: {kinds:?}");
}
