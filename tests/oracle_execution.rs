//! Every program of `shared/oracle/programs` at every version, run by sbvm's interpreter in the
//! standard environment, against expected.json: result or error kind, instruction count, final
//! pc and logs. Expected values: reference (solana-sbpf 0.26 via `oracle conformance`).

mod common;

use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::load::LoadError;
use sbvm::vm::{Config, Executable};
use serde_json::Value;
use std::sync::Arc;

fn input_for(programs: &std::path::Path, spec: &str) -> Vec<u8> {
    if spec == "-" {
        return Vec::new();
    }
    if let Some(len) = spec.strip_prefix("len:") {
        return vec![0; len.parse().unwrap()];
    }
    let file = spec.strip_prefix("hex:").expect("input spec");
    let text = std::fs::read_to_string(programs.join(file)).unwrap();
    let hex: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(|line| line.split_whitespace())
        .map(|word| word.trim_start_matches("0x"))
        .collect();
    common::hex_bytes(&hex)
}

#[test]
fn interpreter_matches_expected_json() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let programs = shared.join("oracle/programs");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(programs.join("expected.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for program in expected["programs"].as_array().unwrap() {
        let name = program["name"].as_str().unwrap();
        let source =
            std::fs::read_to_string(programs.join(program["file"].as_str().unwrap())).unwrap();
        let input = input_for(&programs, program["input"].as_str().unwrap());
        for (version, want) in program["versions"].as_object().unwrap() {
            let version = version.parse().unwrap();
            let config = Config {
                enabled_sbpf_versions: version..=version,
                ..Config::default()
            };
            let runtime = Arc::new(standard_runtime(config));
            let label = format!("{name} at {version}");
            let executable = match Executable::from_assembly(&source, version, runtime) {
                Ok(executable) => executable,
                Err(LoadError::Verifier(error)) => {
                    assert_eq!(want["stage"], "verify", "{label}: {error}");
                    continue;
                }
                Err(error) => panic!("{label}: {error}"),
            };
            assert_eq!(want["stage"], "execute", "{label}");
            let setup = RunSetup {
                budget: program["max_insns"].as_u64().unwrap(),
                input: input.clone(),
                heap_size: 32 * 1024,
            };
            let outcome = run_interpreted(&executable, &setup).unwrap();
            let got_result = outcome.result.as_ref().ok().copied();
            let got_kind = outcome.result.as_ref().err().map(|e| e.kind_name());
            if let (Err(error), Some(reference)) = (&outcome.result, want["error"].as_str()) {
                let reference = if reference.starts_with("SyscallError") {
                    "SyscallError"
                } else {
                    reference
                };
                if common::reference_error_debug(error) != reference {
                    failures.push(format!("{label}: error {error:?}, reference {reference}"));
                }
            }
            let logs: Vec<String> = outcome
                .logs
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect();
            let want_logs: Vec<String> = want["logs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            let tuple = (
                got_result,
                got_kind,
                outcome.instructions,
                outcome.pc as u64,
                logs,
            );
            let want_tuple = (
                want["result"].as_u64(),
                want["error_kind"].as_str(),
                want["instructions"].as_u64().unwrap(),
                want["pc"].as_u64().unwrap(),
                want_logs,
            );
            if tuple != want_tuple {
                failures.push(format!(
                    "{label}: got {tuple:?}, want {want_tuple:?} ({:?})",
                    outcome.result
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 80, "only {checked} runs checked");
}
