//! What the execution benchmarks share: the reference's benchmark programs
//! (`shared/oracle/programs`) and how they are loaded.

use sbvm::env::{standard_runtime, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The programs `oracle bench` is compared on.
pub const PROGRAMS: &[&str] = &[
    "alu_loop",
    "stack_mem_loop",
    "fib_recursive",
    "collatz",
    "muldiv_loop",
    "lddw_bswap",
    "unrolled",
];

/// `../shared/oracle/programs`, when it exists (the benchmarks say so and skip otherwise).
pub fn programs_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/oracle/programs");
    if !dir.exists() {
        eprintln!("SKIP: ../shared/oracle/programs not found");
    }
    dir.exists().then_some(dir)
}

/// Loads program `name` for `version` in the standard runtime.
pub fn load(dir: &Path, name: &str, version: SbpfVersion) -> Executable<EnvContext> {
    let source = std::fs::read_to_string(dir.join(format!("{name}.asm"))).unwrap();
    let config = Config {
        enabled_sbpf_versions: version..=version,
        ..Config::default()
    };
    Executable::from_assembly(&source, version, Arc::new(standard_runtime(config))).unwrap()
}
