//! The conformance suite: every `tests/conformance/cases/*.case` at every SBPF version, on both
//! engines. A case is a program in the reference assembler's syntax, run settings, and the
//! outcome per version recorded from the reference (solana-sbpf 0.26 via shared/oracle): result
//! or error (with its payload), instruction count, final pc and logs.
//!
//! Each case, version and engine is a test of its own, named `CASE::VERSION::ENGINE`
//! (`alu_add32_imm::v2::jit`), so that a failure names itself and a name selects:
//! `cargo test --test conformance alu_add32` runs that case's ten tests. The harness is
//! libtest-mimic (`harness = false` in Cargo.toml), which takes libtest's flags (`--list`,
//! `--exact`, `--skip`, …). Outcomes are compared as values ([`outcome::Outcome`]), and a
//! difference is reported field by field.
//!
//! Re-bless after adding cases (`python3 tests/conformance/generate.py`):
//! `SBVM_BLESS=1 SBVM_ORACLE=path/to/oracle cargo test --test conformance`; the tests are then
//! one per case, `CASE::bless`, and a name selects which cases are re-blessed.

// The harness's parts live beside the cases (a crate root's modules sit beside it otherwise).
#[path = "conformance/case.rs"]
mod case;
mod common;
#[path = "conformance/oracle.rs"]
mod oracle;
#[path = "conformance/outcome.rs"]
mod outcome;

use case::Case;
use libtest_mimic::{Arguments, Failed, Trial};
use outcome::{Outcome, Run};
use sbvm::env::{run_with, standard_runtime, RunSetup};
use sbvm::isa::SbpfVersion;
use sbvm::load::LoadError;
use sbvm::vm::{Config, Engine, Executable};
use std::path::PathBuf;
use std::sync::Arc;

/// Fewer cases than this means the cases folder was not read as meant.
const MIN_CASES: usize = 150;

fn main() {
    let arguments = Arguments::from_args();
    let cases: Vec<Arc<Case>> = Case::all().into_iter().map(Arc::new).collect();
    let count = cases.len();
    let mut trials = vec![Trial::test("suite::has_enough_cases", move || {
        if count >= MIN_CASES {
            Ok(())
        } else {
            Err(format!("only {count} cases, expected at least {MIN_CASES}").into())
        }
    })];
    // The values are the lines: comparing values compares what the files record.
    let all = cases.clone();
    trials.push(Trial::test("suite::expect_lines_read_back", move || {
        expect_lines_read_back(&all)
    }));
    if std::env::var_os("SBVM_BLESS").is_some() {
        let oracle = Arc::new(common::oracle().expect("SBVM_BLESS needs SBVM_ORACLE"));
        trials.extend(cases.iter().map(|case| bless_trial(case, &oracle)));
    } else {
        for case in &cases {
            for version in SbpfVersion::ALL {
                for engine in [Engine::Interpreter, Engine::Jit] {
                    trials.push(check_trial(case, version, engine));
                }
            }
        }
    }
    libtest_mimic::run(&arguments, trials).exit();
}

/// The test that runs `case` at `version` on `engine` and compares with the expectation.
fn check_trial(case: &Arc<Case>, version: SbpfVersion, engine: Engine) -> Trial {
    let name = format!("{}::{version}::{}", case.name, engine.name());
    let case = Arc::clone(case);
    Trial::test(name, move || {
        let expected = match case.expect.get(&version) {
            None => return Err("no expectation (bless the case)".into()),
            Some(Err(error)) => return Err(error.clone().into()),
            Some(Ok(expected)) => expected,
        };
        let got = sbvm_outcome(&case, version, engine);
        let differences = outcome::differences(&got, expected);
        if differences.is_empty() {
            return Ok(());
        }
        Err(Failed::from(format!(
            "{} ({}) differs from the reference:\n  {}\n  sbvm      {got}\n  reference {expected}",
            case.relative_path().display(),
            version,
            differences.join("\n  "),
        )))
    })
}

/// Every expect line parses, and its value displays as the line it came from.
fn expect_lines_read_back(cases: &[Arc<Case>]) -> Result<(), Failed> {
    let mut failures = Vec::new();
    for case in cases {
        for line in &case.expect_lines {
            let (_, text) = line.split_once(": ").unwrap_or(("", line));
            match text.parse::<Outcome>() {
                Ok(outcome) if outcome.to_string() == text => {}
                Ok(outcome) => failures.push(format!(
                    "{}: {text:?} reads back as {:?}",
                    case.relative_path().display(),
                    outcome.to_string()
                )),
                Err(error) => failures.push(format!("{}: {error}", case.relative_path().display())),
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

/// The test that records the reference's outcomes for `case` at every version.
fn bless_trial(case: &Arc<Case>, oracle: &Arc<PathBuf>) -> Trial {
    let (case, oracle) = (Arc::clone(case), Arc::clone(oracle));
    Trial::test(format!("{}::bless", case.name), move || {
        case.bless(
            SbpfVersion::ALL.map(|version| (version, oracle::outcome(&oracle, &case, version))),
        );
        Ok(())
    })
}

/// sbvm's outcome for `case` at `version` with `engine`.
fn sbvm_outcome(case: &Case, version: SbpfVersion, engine: Engine) -> Outcome {
    let config = Config {
        enabled_sbpf_versions: version..=version,
        ..Config::default()
    };
    let runtime = Arc::new(standard_runtime(config));
    let mut executable = match Executable::from_assembly(&case.asm, version, runtime) {
        Ok(executable) => executable,
        Err(LoadError::Verifier(error)) => {
            return Outcome::Verify(common::reference::verifier_fault(&error))
        }
        Err(error) => return Outcome::Load(error.kind_name().to_string()),
    };
    let setup = RunSetup {
        budget: case.budget,
        input: case.input.clone(),
        heap_size: 32 * 1024,
    };
    if engine == Engine::Jit {
        executable.jit_compile().unwrap();
    }
    let outcome = run_with(&executable, &setup, engine).unwrap();
    Outcome::Run(Run {
        result: outcome
            .result
            .as_ref()
            .copied()
            .map_err(common::reference::error_fault),
        instructions: outcome.instructions,
        pc: outcome.pc as u64,
        logs: outcome
            .logs
            .iter()
            .map(|log| String::from_utf8_lossy(log).into_owned())
            .collect(),
    })
}
