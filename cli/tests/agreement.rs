//! `sbvm run --json` agrees with the reference (`oracle run --engine interp`, recorded in
//! shared/oracle/programs/expected.json and shared/fixtures/elfs/expected.json) on result, error
//! kind, instruction count and final pc, for every program at every version and every ELF.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.join("oracle/programs/expected.json").exists() {
        return Some(dir);
    }
    common::skip("../shared not found; CLI agreement checks skipped");
    None
}

fn sbvm_json(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_sbvm"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "exactly one JSON line for {args:?}: {stdout}"
    );
    serde_json::from_str(lines[0]).unwrap()
}

/// `VerifierError(UnknownOpCode(24, 0))` / `ElfError(UnknownSymbol(12))` → the inner variant.
fn inner_kind(error: &str) -> String {
    let inner = match error.split_once('(') {
        Some((outer, rest)) if outer == "VerifierError" || outer == "ElfError" => rest,
        _ => error,
    };
    inner.split(['(', ')', ' ']).next().unwrap().to_string()
}

fn hex_input(programs: &Path, spec: &str, scratch: &Path) -> Vec<String> {
    if spec == "-" {
        return Vec::new();
    }
    if let Some(len) = spec.strip_prefix("len:") {
        return vec!["--input-len".into(), len.into()];
    }
    let text = std::fs::read_to_string(programs.join(spec.strip_prefix("hex:").unwrap())).unwrap();
    let hex: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .map(|w| w.trim_start_matches("0x"))
        .collect();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let file = scratch.join("input.bin");
    std::fs::write(&file, bytes).unwrap();
    vec!["--input".into(), file.to_string_lossy().into_owned()]
}

/// Both engines, in one loop: each must agree with the reference.
const ENGINES: [&str; 2] = ["interpreter", "jit"];

#[test]
fn run_json_agrees_with_the_reference_on_every_program_and_elf() {
    let Some(shared) = shared() else { return };
    let scratch = std::env::temp_dir().join(format!("sbvm-agreement-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;

    let programs = shared.join("oracle/programs");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(programs.join("expected.json")).unwrap())
            .unwrap();
    for program in expected["programs"].as_array().unwrap() {
        let file = programs.join(program["file"].as_str().unwrap());
        let input = hex_input(&programs, program["input"].as_str().unwrap(), &scratch);
        for ((version, want), engine) in program["versions"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|entry| ENGINES.map(|engine| (entry, engine)))
        {
            let limit = program["max_insns"].to_string();
            let mut args = vec![
                "run",
                file.to_str().unwrap(),
                "--version",
                version,
                "--json",
                "--limit",
                &limit,
                "--engine",
                engine,
            ];
            args.extend(input.iter().map(String::as_str));
            let got = sbvm_json(&args);
            let want_error = want["error"].as_str().map(inner_kind);
            let label = format!("{} at {version} ({engine})", program["name"]);
            let same = got["result"] == want["result"]
                && got["error"].as_str().map(str::to_string) == want_error
                && got["instructions"] == want["instructions"]
                && (got["stage"] != "execute" || got["pc"] == want["pc"])
                && got["stage"] == want["stage"];
            if !same {
                failures.push(format!("{label}: sbvm {got}, reference {want}"));
            }
            checked += 1;
        }
    }

    let elfs = shared.join("fixtures/elfs");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(elfs.join("expected.json")).unwrap())
            .unwrap();
    let input = scratch.join("one.bin");
    std::fs::write(&input, [1u8]).unwrap();
    for ((name, want), engine) in expected["fixtures"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|entry| ENGINES.map(|engine| (entry, engine)))
    {
        let file = elfs.join(name);
        let got = sbvm_json(&[
            "run",
            file.to_str().unwrap(),
            "--json",
            "--input",
            input.to_str().unwrap(),
            "--engine",
            engine,
        ]);
        let want_error = want["error"].as_str().map(inner_kind);
        let same = got["result"] == want["result"]
            && got["error"].as_str().map(str::to_string) == want_error
            && got["instructions"] == want["instructions"];
        if !same {
            failures.push(format!("{name} ({engine}): sbvm {got}, reference {want}"));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 220);
}
