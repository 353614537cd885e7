//! Runs with compiled code that stop at marked pcs (`Vm::run_jit_until`, what `sbvm debug
//! --engine jit` runs) against the interpreter, which is the reference: an interpreter run
//! that steps one instruction at a time and notes every boundary where the next pc is marked
//! must see the same stops — pc, registers, instruction count, remaining budget — and the same
//! end (result, count, pc, registers, memory) as a JIT run that stops at the marks and steps
//! past each one with `Vm::step`. The interpreter's own stopping loop
//! (`Vm::run_interpreter_until`, which the debugger hands interpreted runs to) is held to the
//! same (`Vm::run_until_marked` with either engine).
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
use sbvm::memory::MemoryMapping;
use sbvm::vm::{
    Config, EbpfError, Engine, Executable, FunctionRegistry, Pause, Runtime, StopMarks, StopReason,
    SyscallError, Vm,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Pauses for a spent allowance, over all tests (the generators must reach them).
static ALLOWANCE_PAUSES: AtomicUsize = AtomicUsize::new(0);

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
    engine: Engine,
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
        let pause = vm.run_until_marked(engine, &marks, allowance);
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
            ALLOWANCE_PAUSES.fetch_add(1, Ordering::Relaxed);
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
    // Both engines' loops (`run_until_marked`: the JIT's checked code, and the interpreter's
    // loop the debugger hands runs to) against the step-by-step reference.
    for engine in Engine::ALL {
        let mut context = EnvContext::new(budget);
        let mut vm = new_vm(executable, &mut context, &input);
        let (engine_stops, ended) = run_stopping(
            &mut vm,
            engine,
            marks.clone(),
            changes,
            allowance,
            &trace,
            &label,
        );
        assert_eq!(engine_stops, stops, "{label} {engine:?}: stops");
        assert_eq!(ended, interpreted, "{label} {engine:?}: end");
    }
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
    let pauses = ALLOWANCE_PAUSES.load(Ordering::Relaxed);
    eprintln!("mixed programs: {stops} stops, {pauses} allowance pauses, outcomes {kinds:?}");
    assert!(kinds.len() >= 3, "outcomes seen: {kinds:?}");
    assert!(
        stops > 0 && pauses > 0,
        "{stops} stops, {pauses} allowance pauses"
    );
}

/// The program a syscall runs in a VM of its own: `r0 = r2 + (r2 - 1) + … + 1`, a loop.
const INNER: &str =
    "entrypoint:\nmov64 r0, 0\njeq r2, 0, +3\nadd64 r0, r2\nadd64 r2, -1\nja -4\nexit\n";

/// `nested(_, n)`: runs [`INNER`] for `n % 20` with the interpreter (stepping, noting where
/// the marked pc 3 comes next) and with `run_jit_until` (stopping there), panics if they
/// disagree, and returns the sum plus 1000 per stop.
fn nested_syscall(
    inner: Arc<Executable<EnvContext>>,
) -> impl Fn(&mut EnvContext, &mut MemoryMapping<'_>, [u64; 5]) -> Result<u64, SyscallError>
       + Send
       + Sync
       + 'static {
    move |_, _, args| {
        let mut marks = StopMarks::new(inner.text().len() / 8);
        marks.mark(3);
        let run = |jit: bool| {
            let mut context = EnvContext::new(10_000);
            let mut vm = standard_vm(&inner, &mut context, Vec::new(), 0).unwrap();
            vm.set_register(2, args[1] % 20);
            let (mut stops, mut trace) = (0u64, Vec::new());
            if jit {
                loop {
                    match vm.run_jit_until(&marks, u64::MAX) {
                        Pause::AtMark => {
                            stops += 1;
                            trace.push(snapshot(&vm));
                            vm.step();
                        }
                        Pause::AllowanceSpent => unreachable!("no allowance"),
                        Pause::Ended(_) => break,
                    }
                }
            } else {
                loop {
                    if marks.is_marked(vm.pc()) {
                        stops += 1;
                        trace.push(snapshot(&vm));
                    }
                    if vm.step() != StopReason::Stepped {
                        break;
                    }
                }
            }
            (stops, trace, vm.outcome().cloned())
        };
        let (stops, trace, outcome) = run(false);
        assert_eq!(run(true), (stops, trace, outcome.clone()), "the nested run");
        Ok(outcome.unwrap().unwrap().wrapping_add(1000 * stops))
    }
}

/// A syscall that runs another VM, itself stopping at marks, in the middle of a run that stops
/// at marks: the inner run keeps to its own window lists and context, and the outer one goes
/// on as the interpreter does.
#[test]
fn a_nested_run_inside_a_syscall() {
    let outer = "entrypoint:\nmov64 r6, 0\nmov64 r7, 0\nl0:\nmov64 r2, r6\nsyscall nested\n\
                 add64 r7, r0\nadd64 r6, 3\njlt r6, 30, l0\nmov64 r0, r7\nexit\n";
    let mut kinds = std::collections::BTreeSet::new();
    for seed in common::seeds(40) {
        let mut rng = StdRng::seed_from_u64(seed);
        let version = SbpfVersion::ALL[rng.random_range(0..5)];
        let inner = Executable::from_assembly(INNER, version, sbpf_runtime(version, true));
        let inner = Arc::new(inner.unwrap());
        let mut runtime = Runtime::new(common::config_for(version));
        runtime
            .syscalls
            .register("nested", nested_syscall(inner))
            .unwrap();
        let executable = Executable::from_assembly(outer, version, Arc::new(runtime)).unwrap();
        let budget = rng.random_range(1..120);
        let (kind, _) = compare(&executable, &mut rng, budget, &format!("nested {seed}"));
        kinds.insert(kind);
    }
    // By the program: 10 calls and 54 instructions in all; budgets below and above that.
    assert_eq!(
        kinds,
        ["ExceededMaxInstructions", "ok"].into_iter().collect(),
        "outcomes"
    );
}

/// Call depths beyond `NATIVE_CALL_DEPTH_LIMIT` (1024): compiled code returns through its
/// dispatch table instead of host `ret`s, and every return lands on a stop check too.
#[test]
fn deep_calls_stop_where_the_interpreter_does() {
    let source = "mov64 r6, 0\ncall function_down\nmov64 r0, r6\nexit\n\
                  function_down:\nadd64 r6, 1\njge r6, 1050, +1\ncall function_down\nexit\n";
    let mut rng = StdRng::seed_from_u64(7);
    for version in SbpfVersion::ALL {
        let config = Config {
            max_call_depth: 1100,
            ..common::config_for(version)
        };
        let runtime = Arc::new(Runtime::new(config));
        let executable = Executable::from_assembly(source, version, runtime).unwrap();
        for budget in [10, 2000, 3171, 1_000_000] {
            let label = format!("deep {version} budget {budget}");
            compare(&executable, &mut rng, budget, &label);
        }
    }
}

/// Marks shorter than the text (the pcs beyond are unmarked) or longer (ignored), and a run
/// that is over (it says how it ended and runs nothing).
#[test]
fn marks_of_any_length_and_a_finished_run() {
    let source = "mov64 r0, 1\nadd64 r0, 1\nadd64 r0, 1\nadd64 r0, 1\nexit\n";
    let runtime = sbpf_runtime(SbpfVersion::V3, true);
    let executable = Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap();
    // By the program: five instructions, r0 = 4; a mark on pc 3 stops there after three.
    for len in [0, 2, 4, 5, 9] {
        let mut marks = StopMarks::new(len);
        marks.mark(3);
        let mut context = EnvContext::new(100);
        let mut vm = standard_vm(&executable, &mut context, Vec::new(), 0).unwrap();
        let mut pauses = vec![vm.run_jit_until(&marks, u64::MAX)];
        if pauses[0] == Pause::AtMark {
            assert_eq!((vm.pc(), vm.instruction_count()), (3, 3), "len {len}");
            vm.step();
            pauses.push(vm.run_jit_until(&marks, u64::MAX));
        }
        let end = Pause::Ended(StopReason::Exited(4));
        let expected = if len > 3 {
            vec![Pause::AtMark, end]
        } else {
            vec![end]
        };
        assert_eq!(pauses, expected, "len {len}");
        assert_eq!(vm.instruction_count(), 5);
        assert_eq!(
            vm.run_jit_until(&marks, 1),
            Pause::Ended(StopReason::Exited(4))
        );
    }
}

/// The compilation with stop checks has a slot of its own: the normal one stays empty (or
/// keeps the code it had), so runs without a debugger never run the checked code.
#[test]
fn the_normal_compilation_is_left_alone() {
    let source = "mov64 r0, 1\nadd64 r0, 1\nexit\n";
    let runtime = sbpf_runtime(SbpfVersion::V2, true);
    let mut executable = Executable::from_assembly(source, SbpfVersion::V2, runtime).unwrap();
    let run = |executable: &Executable<EnvContext>| {
        let mut context = EnvContext::new(100);
        let mut vm = standard_vm(executable, &mut context, Vec::new(), 0).unwrap();
        vm.run_jit_until(&StopMarks::new(3), u64::MAX)
    };
    assert_eq!(run(&executable), Pause::Ended(StopReason::Exited(2)));
    assert!(!executable.is_jit_compiled());
    executable.jit_compile().unwrap();
    let code = executable.jit_program().unwrap().machine_code().to_vec();
    assert_eq!(run(&executable), Pause::Ended(StopReason::Exited(2)));
    assert_eq!(executable.jit_program().unwrap().machine_code(), &code[..]);
}

/// What the stop checks cost when nothing is marked: the same loop-heavy programs with
/// `execute_jit` (normal code) and `run_jit_until` (checked code). A measurement, not a check:
/// `cargo test --release --test jit_stops -- --ignored --nocapture stop_check_cost`.
#[test]
#[ignore]
fn stop_check_cost() {
    let alu = "entrypoint:\nmov64 r1, 0\nmov64 r2, 0\nmov64 r3, 7\nl0:\nadd64 r2, r1\n\
               xor64 r3, r2\nmul64 r3, 3\nrsh64 r2, 1\nor64 r2, r3\nadd64 r1, 1\n\
               jlt r1, 4000000, l0\nmov64 r0, r2\nexit\n";
    let memory = "entrypoint:\nmov64 r1, 0\nmov64 r2, 0\nl0:\nstxdw [r10-8], r1\n\
                  ldxdw r3, [r10-8]\nadd64 r2, r3\nstxw [r10-16], r2\nldxw r4, [r10-16]\n\
                  xor64 r2, r4\nadd64 r1, 1\njlt r1, 4000000, l0\nmov64 r0, r2\nexit\n";
    for (name, source) in [("alu loop", alu), ("stack loop", memory)] {
        let runtime = sbpf_runtime(SbpfVersion::V3, true);
        let mut executable = Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap();
        executable.jit_compile().unwrap();
        let marks = StopMarks::new(executable.text().len() / 8);
        let time = |checked: bool| {
            let mut best = std::time::Duration::MAX;
            let mut ran = None;
            for _ in 0..7 {
                let mut context = EnvContext::new(u64::MAX);
                let mut vm = standard_vm(&executable, &mut context, Vec::new(), 0).unwrap();
                let start = std::time::Instant::now();
                if checked {
                    assert!(matches!(
                        vm.run_jit_until(&marks, u64::MAX),
                        Pause::Ended(_)
                    ));
                } else {
                    let _ = vm.execute_jit();
                }
                best = best.min(start.elapsed());
                ran = Some((vm.instruction_count(), vm.outcome().cloned()));
            }
            (best, ran)
        };
        let (normal, normal_ran) = time(false);
        let (checked, checked_ran) = time(true);
        assert_eq!(checked_ran, normal_ran);
        let instructions = normal_ran.unwrap().0;
        eprintln!(
            "{name}: {instructions} instructions, normal {normal:?}, checked {checked:?}, \
             ratio {:.2}",
            checked.as_secs_f64() / normal.as_secs_f64()
        );
    }
}
