//! The conformance suite: every `tests/conformance/cases/*.case` at every SBPF version. A case is
//! a program in the reference assembler's syntax, run settings, and the outcome per version
//! recorded from the reference (solana-sbpf 0.26 via shared/oracle): result or error (with its
//! payload), instruction count, final pc and logs.
//!
//! Re-bless after adding cases (`python3 tests/conformance/generate.py`):
//! `SBVM_BLESS=1 SBVM_ORACLE=path/to/oracle cargo test --test conformance`.

mod common;

use sbvm::env::{run_with, standard_runtime, RunSetup};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Engine, Executable, LoadError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

struct Case {
    name: String,
    path: PathBuf,
    header: Vec<String>,
    budget: u64,
    input: Vec<u8>,
    input_hex: Option<String>,
    asm: String,
    /// Version → expected outcome line.
    expect: BTreeMap<SbpfVersion, String>,
}

fn parse_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    let (head, expect) = text.split_once("-- expect\n").unwrap_or((&text, ""));
    let (settings, asm) = head
        .split_once("-- asm\n")
        .expect("a case has an -- asm section");
    let mut case = Case {
        name: path.file_stem().unwrap().to_string_lossy().into_owned(),
        path: path.to_path_buf(),
        header: Vec::new(),
        budget: 100_000,
        input: Vec::new(),
        input_hex: None,
        asm: asm.to_string(),
        expect: BTreeMap::new(),
    };
    for line in settings.lines() {
        case.header.push(line.to_string());
        if let Some(budget) = line.strip_prefix("-- budget ") {
            case.budget = budget.trim().parse().unwrap();
        } else if let Some(hex) = line.strip_prefix("-- input ") {
            case.input = common::hex_bytes(hex.trim());
            case.input_hex = Some(hex.trim().to_string());
        }
    }
    for line in expect.lines().filter(|line| !line.trim().is_empty()) {
        let (versions, outcome) = line
            .split_once(": ")
            .expect("expect lines are `v0 v1: outcome`");
        for version in versions.split_whitespace() {
            case.expect
                .insert(version.parse().unwrap(), outcome.to_string());
        }
    }
    case
}

fn cases() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.retain(|path| path.extension().is_some_and(|ext| ext == "case"));
    paths.sort();
    paths.iter().map(|path| parse_case(path)).collect()
}

fn logs_suffix(logs: &[String]) -> String {
    if logs.is_empty() {
        String::new()
    } else {
        format!(" logs={}", serde_json::to_string(logs).unwrap())
    }
}

/// sbvm's outcome line for a case at a version with `engine`.
fn sbvm_outcome(case: &Case, version: SbpfVersion, engine: Engine) -> String {
    let config = Config {
        enabled_sbpf_versions: version..=version,
        ..Config::default()
    };
    let runtime = Arc::new(standard_runtime(config));
    let mut executable = match Executable::from_assembly(&case.asm, version, runtime) {
        Ok(executable) => executable,
        Err(LoadError::Verifier(error)) => {
            return format!("verify {}", common::reference_debug(&error))
        }
        Err(error) => return format!("load {}", error.kind_name()),
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
    let logs: Vec<String> = outcome
        .logs
        .iter()
        .map(|log| String::from_utf8_lossy(log).into_owned())
        .collect();
    let head = match &outcome.result {
        Ok(value) => format!("ok {value}"),
        Err(error) => format!("err {}", common::reference_error_debug(error)),
    };
    format!(
        "{head} insns={} pc={}{}",
        outcome.instructions,
        outcome.pc,
        logs_suffix(&logs)
    )
}

/// The reference's outcome line, asked live.
fn oracle_outcome(oracle: &Path, case: &Case, version: SbpfVersion) -> String {
    let dir = std::env::temp_dir().join(format!("sbvm-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let asm = dir.join(format!("{}.asm", case.name));
    std::fs::write(&asm, &case.asm).unwrap();
    let mut command = std::process::Command::new(oracle);
    command.args(["run", "--asm"]).arg(&asm);
    command.args([
        "--version",
        version.name(),
        "--engine",
        "interp",
        "--max-insns",
        &case.budget.to_string(),
    ]);
    if let Some(hex) = &case.input_hex {
        let input = dir.join(format!("{}.hex", case.name));
        std::fs::write(&input, hex).unwrap();
        command.arg("--input").arg(input);
    }
    let output = command.output().unwrap();
    let line = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let json: serde_json::Value = serde_json::from_str(&line)
        .unwrap_or_else(|_| panic!("{}: oracle said {line:?}", case.name));
    match json["stage"].as_str().unwrap() {
        "verify" => {
            let error = json["error"].as_str().unwrap();
            format!(
                "verify {}",
                error
                    .strip_prefix("VerifierError(")
                    .and_then(|e| e.strip_suffix(')'))
                    .unwrap_or(error)
            )
        }
        "execute" => {
            let head = match json["result"].as_u64() {
                Some(value) => format!("ok {value}"),
                None => {
                    let error = json["error"].as_str().unwrap();
                    let error = if error.starts_with("SyscallError") {
                        "SyscallError"
                    } else {
                        error
                    };
                    format!("err {error}")
                }
            };
            let logs: Vec<String> = json["logs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            format!(
                "{head} insns={} pc={}{}",
                json["instructions"],
                json["pc"],
                logs_suffix(&logs)
            )
        }
        stage => format!("load {}", json["error_kind"].as_str().unwrap_or(stage)),
    }
}

fn bless(case: &Case, oracle: &Path) {
    let mut grouped: Vec<(Vec<SbpfVersion>, String)> = Vec::new();
    for version in SbpfVersion::ALL {
        let outcome = oracle_outcome(oracle, case, version);
        match grouped.iter_mut().find(|(_, line)| *line == outcome) {
            Some((versions, _)) => versions.push(version),
            None => grouped.push((vec![version], outcome)),
        }
    }
    let mut text = case.header.join("\n") + "\n-- asm\n" + &case.asm + "-- expect\n";
    for (versions, outcome) in grouped {
        let names: Vec<&str> = versions.iter().map(|v| v.name()).collect();
        text += &format!("{}: {outcome}\n", names.join(" "));
    }
    std::fs::write(&case.path, text).unwrap();
}

#[test]
fn conformance_cases_match_the_reference() {
    let cases = cases();
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    if std::env::var_os("SBVM_BLESS").is_some() {
        let oracle = common::oracle().expect("SBVM_BLESS needs SBVM_ORACLE");
        for case in &cases {
            bless(case, &oracle);
        }
        eprintln!("blessed {} cases from the reference", cases.len());
        return;
    }
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in &cases {
        for version in SbpfVersion::ALL {
            let Some(expected) = case.expect.get(&version) else {
                failures.push(format!(
                    "{} at {version}: no expectation (bless the case)",
                    case.name
                ));
                continue;
            };
            // Both engines, one loop: the JIT must agree exactly with the reference too.
            for engine in [Engine::Interpreter, Engine::Jit] {
                let got = sbvm_outcome(case, version, engine);
                if got != *expected {
                    failures.push(format!(
                        "{} at {version} ({}):\n    sbvm      {got}\n    reference {expected}",
                        case.name,
                        engine.name()
                    ));
                }
                runs += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} runs differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
