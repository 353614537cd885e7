//! Profile and coverage of runs observed by stepping (`sbvm::observe`): hand-written programs
//! whose numbers follow from their text, and Solana instructions whose profiles must add up to
//! the compute units mollusk recorded, callees included, while the run still matches.

mod common;

use common::programs::{dir_with, program_dirs};
use sbvm::elf::write_elf;
use sbvm::env::{run_driven, standard_runtime};
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::observe::{FunctionNames, Observation, ObservingDriver, Profile};
use sbvm::solana::fixture::{Fixture, FixtureRunner};
use sbvm::solana::ProgramRuntime;
use sbvm::vm::{Config, EbpfError, Engine, Executable};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A function called 3 times from a loop.
const LOOP: &str = "
entrypoint:
    mov64 r6, 3
    call function_work
    sub64 r6, 1
    jne r6, 0, -3
    exit
function_work:
    add64 r0, 1
    exit
";

/// Recursion 4 deep: function_down(3) calls function_down(2) … down to function_down(0).
const RECURSION: &str = "
entrypoint:
    mov64 r1, 3
    call function_down
    exit
function_down:
    jeq r1, 0, +2
    sub64 r1, 1
    call function_down
    exit
";

/// A syscall of known cost: `sol_log_compute_units_` charges 100 units beyond its instruction
/// (src/env/memory.rs, agave's default syscall base cost).
const SYSCALL: &str = "
entrypoint:
    call function_log
    exit
function_log:
    syscall sol_log_compute_units_
    exit
";

/// Runs `source` (V3) observed; the run's count and result, and what was observed.
fn observe(source: &str) -> (u64, Result<u64, EbpfError>, Observation) {
    let runtime = Arc::new(standard_runtime(Config::default()));
    let executable = Executable::from_assembly(source, SbpfVersion::V3, runtime).unwrap();
    let unobserved = run_driven(&executable, 10_000, vec![], 0, |vm| vm.execute()).unwrap();
    let observation = Observation::new();
    let run = run_driven(&executable, 10_000, vec![], 0, |vm| {
        let names = FunctionNames::of_executable(&executable, &BTreeMap::new());
        observation.run(vm, "", names)
    })
    .unwrap();
    // Observing changes nothing: the same count and result as running to the end.
    assert_eq!(run.driven, unobserved.driven);
    let (instructions, result) = run.driven;
    (instructions, result, observation)
}

fn table(profile: &Profile) -> Vec<(String, u64, u64)> {
    profile
        .functions()
        .into_iter()
        .map(|cost| (cost.name, cost.self_units, cost.total_units))
        .collect()
}

#[test]
fn a_function_called_three_times_from_a_loop() {
    let (instructions, result, observation) = observe(LOOP);
    assert_eq!(result, Ok(3));
    let profile = observation.profile();
    // From the text: entrypoint runs mov, 3 × (call, sub64, jne) and exit = 11 instructions;
    // function_work runs add64 and exit on each of its 3 calls = 6.
    assert_eq!(
        profile.folded(),
        "entrypoint 11\nentrypoint;function_work 6\n"
    );
    assert_eq!(profile.total(), instructions);
    assert_eq!(instructions, 17);
    assert_eq!(
        table(&profile),
        [
            ("entrypoint".into(), 11, 17),
            ("function_work".into(), 6, 6)
        ]
    );
}

#[test]
fn recursion_stacks_each_level_and_counts_it_once_in_the_total() {
    let (instructions, result, observation) = observe(RECURSION);
    assert_eq!(result, Ok(0));
    let profile = observation.profile();
    // From the text: entrypoint runs mov, call, exit (3); each function_down(n > 0) runs jeq,
    // sub64, call, exit (4); function_down(0) runs jeq, exit (2).
    let down = "entrypoint;function_down";
    assert_eq!(
        profile.folded(),
        format!(
            "entrypoint 3\n{down} 4\n{down};function_down 4\n{down};function_down;function_down 4\n\
             {down};function_down;function_down;function_down 2\n"
        )
    );
    assert_eq!(profile.total(), instructions);
    assert_eq!(instructions, 17);
    assert_eq!(
        table(&profile),
        [
            ("entrypoint".into(), 3, 17),
            ("function_down".into(), 14, 14)
        ]
    );
}

#[test]
fn a_syscall_costs_its_caller() {
    let (instructions, result, observation) = observe(SYSCALL);
    assert_eq!(result, Ok(0));
    let profile = observation.profile();
    // From the text and sol_log_compute_units_'s cost of 100: entrypoint's call and exit (2);
    // function_log's syscall (1 + 100) and exit (1).
    assert_eq!(
        profile.folded(),
        "entrypoint 2\nentrypoint;function_log 102\n"
    );
    assert_eq!(profile.total(), instructions);
    assert_eq!(instructions, 104);
}

#[test]
fn a_fault_ends_the_profile_at_the_count_the_run_reports() {
    // Runs out of budget inside the loop: the units still add up to the count.
    let runtime = Arc::new(standard_runtime(Config::default()));
    let executable = Executable::from_assembly(LOOP, SbpfVersion::V3, runtime).unwrap();
    let observation = Observation::new();
    let run = run_driven(&executable, 7, vec![], 0, |vm| {
        let names = FunctionNames::of_executable(&executable, &BTreeMap::new());
        observation.run(vm, "", names)
    })
    .unwrap();
    let (instructions, result) = run.driven;
    assert_eq!(result, Err(EbpfError::ExceededMaxInstructions));
    assert_eq!(observation.profile().total(), instructions);
}

#[test]
fn coverage_counts_each_instruction_of_the_loop() {
    let (_, _, observation) = observe(LOOP);
    let coverage = observation.coverage();
    // From the text: mov and exit once, the loop body and function_work's two 3 times each.
    assert_eq!(coverage.hits(""), Some(&[1, 3, 3, 3, 1, 3, 3][..]));
    let files = coverage.files(Path::new("/tmp/loop.lcov"), &|_| None);
    let listing = &files.listings[0];
    assert_eq!(listing.0, PathBuf::from("/tmp/loop.lcov.s"));
    // The listing is `sbvm disasm --listing`'s: three label lines (entrypoint, the loop's
    // LBB0, function_work) and seven instructions; lcov points at the instruction lines.
    assert_eq!(listing.1.lines().count(), 10);
    assert_eq!(listing.1.lines().nth(2), Some("LBB0:"));
    let expected_lines = [2, 4, 5, 6, 7, 9, 10];
    let expected_hits = [1, 3, 3, 3, 1, 3, 3];
    let da: Vec<String> = expected_lines
        .iter()
        .zip(expected_hits)
        .map(|(line, hits)| format!("DA:{line},{hits}"))
        .collect();
    let lcov = &files.lcov;
    assert!(lcov.contains(&da.join("\n")), "{lcov}");
    assert!(lcov.contains("SF:/tmp/loop.lcov.s\n"), "{lcov}");
    assert!(
        lcov.contains("FN:2,entrypoint\nFN:9,function_work\n"),
        "{lcov}"
    );
    assert!(
        lcov.contains("FNDA:1,entrypoint\nFNDA:3,function_work\n"),
        "{lcov}"
    );
    assert!(lcov.contains("LF:7\nLH:7\nend_of_record"), "{lcov}");
}

/// The Token-2022 fixture mollusk recorded 1,035 compute units for.
#[test]
fn a_token_2022_profile_adds_up_to_the_compute_units_mollusk_recorded() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/solana/token-2022");
    let fixture = read_fixture(&root.join("approve.json"));
    let dirs = program_dirs(common::shared_dir().as_deref());
    let Some(dir) = dir_with(&dirs, &["token_2022.so"]) else {
        common::skip("token_2022.so not found (scripts/fetch-solana-programs.sh fetches it)");
        return;
    };
    let mut runner = FixtureRunner::new(Engine::Interpreter).unwrap();
    runner.prepare_from(&fixture, &[dir.as_path()]).unwrap();
    let mut driver = ObservingDriver::default();
    let result = runner.run_with(&fixture, &mut driver).unwrap();
    assert_eq!(fixture.differences(&result), []);
    assert_eq!(result.compute_units_consumed, 1_035);
    let profile = driver.observation.profile();
    assert_eq!(profile.total(), result.compute_units_consumed);
    assert!(profile
        .stacks()
        .all(|(stack, _)| stack.starts_with("entrypoint")));
    let coverage = driver.observation.coverage();
    let program = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
    let hits = coverage.hits(program).expect("the program's coverage");
    // Each executed instruction hit once counts one unit (no syscall charges more than that
    // here would): at least as many hits as units less the syscalls' extra cost.
    assert!(hits.iter().sum::<u64>() > 0 && hits.iter().sum::<u64>() <= 1_035);
}

fn read_fixture(path: &Path) -> Fixture {
    Fixture::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The scripted CPI caller of tests/data/solana/cpi, as tests/solana_cpi.rs builds it.
fn cpi_script_elf() -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/solana/cpi");
    let source = std::fs::read_to_string(root.join("programs/cpi_script.asm")).unwrap();
    write_elf(&assemble(&source, SbpfVersion::V0).unwrap()).unwrap()
}

#[test]
fn a_callee_is_profiled_under_its_callers_invoke() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/solana/cpi");
    let fixture = read_fixture(&root.join("fixtures/invoke_callee_logs.json"));
    let elf = cpi_script_elf();
    let mut runtime = ProgramRuntime::new();
    for program in std::iter::once(&fixture.program).chain(&fixture.other_programs) {
        runtime
            .add_program(program.program_id, program.loader, &elf)
            .unwrap();
    }
    runtime.set_compute_unit_limit(fixture.compute_unit_limit);
    let mut driver = ObservingDriver::default();
    let result = runtime
        .process_instruction_with(&fixture.instruction, &fixture.accounts, &mut driver)
        .unwrap();
    assert_eq!(fixture.differences(&result), []);
    let profile = driver.observation.profile();
    assert_eq!(profile.total(), result.compute_units_consumed);
    let callee = fixture.other_programs[0].program_id.to_string();
    let nested: Vec<&str> = profile
        .stacks()
        .map(|(stack, _)| stack)
        .filter(|stack| stack.contains(&format!(";{callee}:entrypoint")))
        .collect();
    assert!(
        !nested.is_empty(),
        "no callee frames in\n{}",
        profile.folded()
    );
    // The callee's frames sit under the caller's own (unprefixed) frames.
    assert!(nested.iter().all(|stack| stack.starts_with("entrypoint")));
    // The callee's instructions are covered under its program id.
    let coverage = driver.observation.coverage();
    assert!(coverage
        .hits(&callee)
        .is_some_and(|hits| hits.iter().any(|h| *h > 0)));
}

#[test]
fn source_lines_of_any_bytes_never_panic() {
    // Random bytes (what a file that is not a program gives): an empty answer or lines, never a
    // panic or a hang.
    use rand::{RngExt, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for _ in 0..200 {
        let len = rng.random_range(0..4096);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let _ = sbvm::observe::source_lines(&bytes);
    }
}
