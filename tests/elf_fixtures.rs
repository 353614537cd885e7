//! Every ELF of `shared/fixtures/elfs` (built by the Solana toolchain) gives the outcome in its
//! expected.json: the same load error, or the same result, instruction count and logs in the
//! standard environment with input `[0x01]`. Expected values: reference (solana-sbpf 0.26).

mod common;

use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::vm::{Config, Executable};
use serde_json::Value;
use std::sync::Arc;

#[test]
fn fixtures_load_and_run_like_the_reference() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let dir = shared.join("fixtures/elfs");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let fixtures = expected["fixtures"].as_object().unwrap();
    assert!(fixtures.len() >= 20);
    for (name, want) in fixtures {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let runtime = Arc::new(standard_runtime(Config::default()));
        let got = match Executable::from_elf(&bytes, runtime) {
            Err(error) => format!("load {}", error.kind_name()),
            Ok(executable) => {
                let setup = RunSetup {
                    budget: 100_000_000,
                    input: vec![1],
                    heap_size: 32 * 1024,
                };
                let outcome = run_interpreted(&executable, &setup).unwrap();
                let logs: Vec<String> = outcome
                    .logs
                    .iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect();
                match outcome.result {
                    Ok(value) => format!(
                        "ok {value} insns={} logs={logs:?} version={}",
                        outcome.instructions,
                        executable.version()
                    ),
                    Err(error) => format!(
                        "err {} insns={} logs={logs:?} version={}",
                        error.kind_name(),
                        outcome.instructions,
                        executable.version()
                    ),
                }
            }
        };
        let reference = match want["stage"].as_str().unwrap() {
            "load" | "verify" => {
                // `ElfError(WritableSectionNotSupported(".bss"))` → the inner variant's name.
                let error = want["error"].as_str().unwrap();
                let inner = error.split_once('(').map_or(error, |(_, rest)| rest);
                let kind = inner.split(['(', ')']).next().unwrap();
                format!("load {kind}")
            }
            _ => {
                let logs: Vec<String> = want["logs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap().to_string())
                    .collect();
                let head = match want["result"].as_u64() {
                    Some(value) => format!("ok {value}"),
                    None => format!("err {}", want["error_kind"].as_str().unwrap()),
                };
                format!(
                    "{head} insns={} logs={logs:?} version={}",
                    want["instructions"],
                    want["version"].as_str().unwrap()
                )
            }
        };
        if got != reference {
            failures.push(format!(
                "{name}:\n    sbvm      {got}\n    reference {reference}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}
