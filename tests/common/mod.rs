//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod clang;
pub mod gen;
pub mod programs;
pub mod reference;
pub mod skip;

pub use skip::skip;

use sbvm::env::{standard_runtime, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable, FunctionRegistry};
use std::path::PathBuf;
use std::sync::Arc;

/// The default configuration with only `version` enabled.
pub fn config_for(version: SbpfVersion) -> Config {
    Config {
        enabled_sbpf_versions: version..=version,
        ..Config::default()
    }
}

/// A bare text section loaded and verified in the standard runtime, if it verifies.
pub fn raw_executable(text: &[u8], version: SbpfVersion) -> Option<Executable<EnvContext>> {
    Executable::from_text_bytes(
        text,
        version,
        Arc::new(standard_runtime(config_for(version))),
        FunctionRegistry::default(),
    )
    .ok()
}

/// The `shared/` folder beside the checkout (or `$SBVM_SHARED`), if it exists; when it does
/// not, [`skip`] says so (a failure under `SBVM_NO_SKIP`).
#[track_caller]
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SBVM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    if dir.join("oracle/programs/expected.json").exists() {
        return Some(dir);
    }
    skip(format!(
        "{} has no oracle/programs/expected.json; reference-data checks skipped",
        dir.display()
    ));
    None
}

/// Decodes a hex string.
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("valid hex"))
        .collect()
}

/// Seeds for randomized tests: `SBVM_SEED` pins one, `SBVM_SEEDS=N` runs N (default `default`).
pub fn seeds(default: u64) -> Vec<u64> {
    if let Some(seed) = std::env::var("SBVM_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![seed];
    }
    let count = std::env::var("SBVM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (0..count).map(|i| 0x5eed_0000 + i).collect()
}

/// The reference's `Debug` rendering of a verifier error (`UnknownOpCode(24, 0)`), built from
/// sbvm's error so the two can be compared field by field ([`reference::verifier_fault`]).
pub fn reference_debug(error: &sbvm::verifier::VerifierError) -> String {
    reference::verifier_fault(error).to_string()
}

/// The reference runner, if `$SBVM_ORACLE` names it (see shared/oracle/README.md). A name
/// that is not a file is a [`skip`] (a failure under `SBVM_NO_SKIP`), never silence: the
/// checks against the live reference would quietly not run.
#[track_caller]
pub fn oracle() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("SBVM_ORACLE")?);
    if path.is_file() {
        return Some(path);
    }
    skip(format!(
        "SBVM_ORACLE names {}, which is not a file; checks against the live reference skipped",
        path.display()
    ));
    None
}

/// Runs a raw text section on the reference runner (interpreter) and returns its JSON line.
pub fn oracle_run_raw(
    oracle: &std::path::Path,
    text: &[u8],
    version: sbvm::isa::SbpfVersion,
    budget: u64,
) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("sbvm-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("case-{}.bin", rand_suffix()));
    std::fs::write(&file, text).unwrap();
    let output = std::process::Command::new(oracle)
        .args(["run", "--raw"])
        .arg(&file)
        .args([
            "--version",
            version.name(),
            "--engine",
            "interp",
            "--max-insns",
            &budget.to_string(),
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let line = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    serde_json::from_str(&line).unwrap_or_else(|_| panic!("oracle said {line:?}"))
}

/// Asks the reference runner how it verifies a raw text section: `Ok(())` or the error's Debug
/// rendering without the `VerifierError(...)` wrapper.
pub fn oracle_verify(
    oracle: &std::path::Path,
    text: &[u8],
    version: sbvm::isa::SbpfVersion,
) -> Result<(), String> {
    let json = oracle_run_raw(oracle, text, version, 1000);
    if json["stage"] == "verify" {
        let error = json["error"].as_str().unwrap();
        Err(error
            .strip_prefix("VerifierError(")
            .and_then(|e| e.strip_suffix(')'))
            .unwrap_or(error)
            .to_string())
    } else {
        Ok(())
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Asks the reference assembler to assemble `source` for `version`: the text bytes, or its error.
pub fn oracle_assemble(
    oracle: &std::path::Path,
    source: &str,
    version: sbvm::isa::SbpfVersion,
) -> Result<Vec<u8>, String> {
    let dir = std::env::temp_dir().join(format!("sbvm-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("case-{}.asm", rand_suffix()));
    std::fs::write(&file, source).unwrap();
    let output = std::process::Command::new(oracle)
        .args(["assemble", "--asm"])
        .arg(&file)
        .args(["--version", version.name()])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .flat_map(hex_bytes)
        .collect())
}

/// The reference's `Debug` rendering of a runtime error (`AccessViolation(Store, 4294967296, 8,
/// "program")`), for field-by-field comparison with expected.json. Syscall errors compare by kind
/// ([`reference::error_fault`]).
pub fn reference_error_debug(error: &sbvm::vm::EbpfError) -> String {
    reference::error_fault(error).to_string()
}

/// Runs an ELF on the reference runner (interpreter, input `[0x01]`) and returns its JSON line.
pub fn oracle_run_elf(oracle: &std::path::Path, elf: &[u8], budget: u64) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("sbvm-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("case-{}.so", rand_suffix()));
    std::fs::write(&file, elf).unwrap();
    let input = dir.join(format!("input-{}.hex", rand_suffix()));
    std::fs::write(&input, "01").unwrap();
    let output = std::process::Command::new(oracle)
        .args(["run", "--elf"])
        .arg(&file)
        .args([
            "--engine",
            "interp",
            "--max-insns",
            &budget.to_string(),
            "--input",
        ])
        .arg(&input)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&input);
    let line = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    serde_json::from_str(&line).unwrap_or_else(|_| {
        panic!(
            "oracle said {line:?} / {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}
