//! The reference's outcome for a case, asked live from the reference runner (shared/oracle).

use super::case::Case;
use super::outcome::{Outcome, Run};
use crate::common::reference::Fault;
use sbvm::isa::SbpfVersion;
use std::path::Path;

/// Runs `case` at `version` on the reference runner (interpreter).
pub fn outcome(oracle: &Path, case: &Case, version: SbpfVersion) -> Outcome {
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
    let fault = |text: &str| -> Fault {
        text.parse()
            .unwrap_or_else(|error| panic!("{}: oracle's error {text:?}: {error}", case.name))
    };
    match json["stage"].as_str().unwrap() {
        "verify" => {
            let error = json["error"].as_str().unwrap();
            Outcome::Verify(fault(
                error
                    .strip_prefix("VerifierError(")
                    .and_then(|e| e.strip_suffix(')'))
                    .unwrap_or(error),
            ))
        }
        "execute" => {
            let result = match json["result"].as_u64() {
                Some(value) => Ok(value),
                None => {
                    let error = json["error"].as_str().unwrap();
                    // A syscall's error carries the host's message: compared by kind only.
                    Err(if error.starts_with("SyscallError") {
                        Fault::kind("SyscallError")
                    } else {
                        fault(error)
                    })
                }
            };
            Outcome::Run(Run {
                result,
                instructions: json["instructions"].as_u64().unwrap(),
                pc: json["pc"].as_u64().unwrap(),
                logs: json["logs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l.as_str().unwrap().to_string())
                    .collect(),
            })
        }
        stage => Outcome::Load(json["error_kind"].as_str().unwrap_or(stage).to_string()),
    }
}
