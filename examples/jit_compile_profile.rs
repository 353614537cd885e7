//! Compiles one program many times (for profiling the JIT's compile time):
//! `cargo run --release --example jit_compile_profile -- PROGRAM.asm [v0|v3] [N]`.

use sbvm::env::standard_runtime;
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable};
use std::sync::Arc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: jit_compile_profile PROGRAM.asm [VERSION] [N]");
        return;
    };
    let version = match args.get(2).map(String::as_str) {
        Some("v3") => SbpfVersion::V3,
        _ => SbpfVersion::V0,
    };
    let count: u32 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let source = std::fs::read_to_string(path).expect("readable program");
    let runtime = Arc::new(standard_runtime(Config::default()));
    let mut executable = Executable::from_assembly(&source, version, runtime).expect("loads");
    let start = std::time::Instant::now();
    for _ in 0..count {
        executable.jit_compile().expect("compiles");
    }
    let slots = executable.text().len() / 8;
    let each = start.elapsed().as_nanos() as f64 / f64::from(count);
    let bytes = executable
        .jit_program()
        .map_or(0, |program| program.machine_code().len());
    println!(
        "{slots} slots: {each:.0} ns per compile, {:.1} ns per slot, {bytes} bytes of code",
        each / slots as f64
    );
}
