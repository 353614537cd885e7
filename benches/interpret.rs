//! Interpreter execution speed on the reference's benchmark programs (`shared/oracle/programs`).
//! Compare with `oracle bench` run on the same machine at the same time (see README).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::env::{run_interpreted, standard_runtime, RunSetup};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable};
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

fn bench(c: &mut Criterion) {
    let Some(dir) = programs_dir() else {
        eprintln!("SKIP: ../shared/oracle/programs not found");
        return;
    };
    let mut group = c.benchmark_group("interpret");
    group.sample_size(10);
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        for name in PROGRAMS {
            let source = std::fs::read_to_string(dir.join(format!("{name}.asm"))).unwrap();
            let config = Config {
                enabled_sbpf_versions: version..=version,
                ..Config::default()
            };
            let executable =
                Executable::from_assembly(&source, version, Arc::new(standard_runtime(config)))
                    .unwrap();
            let setup = RunSetup::default();
            let instructions = run_interpreted(&executable, &setup).unwrap().instructions;
            group.throughput(Throughput::Elements(instructions));
            group.bench_function(format!("{name}/{version}"), |b| {
                b.iter(|| run_interpreted(&executable, &setup).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
