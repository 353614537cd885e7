//! JIT speed: execution of the reference's benchmark programs (`shared/oracle/programs`) and
//! compile time. Compare with `oracle bench` on the same machine at the same time
//! (`scripts/bench-vs-reference.sh`, which alternates the two).
//!
//! `jit/<program>/<version>` reports instructions per second; `jit_compile/<program>`
//! reports text slots per second (its inverse is the compile time per instruction).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::env::{run_with, standard_runtime, EnvContext, RunSetup};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Engine, Executable};
use std::path::PathBuf;
use std::sync::Arc;

const PROGRAMS: &[&str] = &[
    "alu_loop",
    "stack_mem_loop",
    "fib_recursive",
    "collatz",
    "muldiv_loop",
    "lddw_bswap",
    "unrolled",
];

fn programs_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/oracle/programs");
    dir.exists().then_some(dir)
}

fn load(dir: &std::path::Path, name: &str, version: SbpfVersion) -> Executable<EnvContext> {
    let source = std::fs::read_to_string(dir.join(format!("{name}.asm"))).unwrap();
    let config = Config {
        enabled_sbpf_versions: version..=version,
        ..Config::default()
    };
    Executable::from_assembly(&source, version, Arc::new(standard_runtime(config))).unwrap()
}

fn execution(c: &mut Criterion) {
    let Some(dir) = programs_dir() else {
        eprintln!("SKIP: ../shared/oracle/programs not found");
        return;
    };
    let mut group = c.benchmark_group("jit");
    group.sample_size(10);
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        for name in PROGRAMS {
            let mut executable = load(&dir, name, version);
            executable.jit_compile().unwrap();
            let setup = RunSetup::default();
            let instructions = run_with(&executable, &setup, Engine::Jit)
                .unwrap()
                .instructions;
            group.throughput(Throughput::Elements(instructions));
            group.bench_function(format!("{name}/{version}"), |b| {
                b.iter(|| run_with(&executable, &setup, Engine::Jit).unwrap())
            });
        }
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let Some(dir) = programs_dir() else {
        return;
    };
    let mut group = c.benchmark_group("jit_compile");
    for name in PROGRAMS {
        let mut executable = load(&dir, name, SbpfVersion::V0);
        group.throughput(Throughput::Elements((executable.text().len() / 8) as u64));
        group.bench_function(*name, |b| b.iter(|| executable.jit_compile().unwrap()));
    }
    group.finish();
}

criterion_group!(benches, execution, compile);
criterion_main!(benches);
