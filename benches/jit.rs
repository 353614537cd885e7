//! JIT speed: execution of the reference's benchmark programs (`shared/oracle/programs`) and
//! compile time. Compare with `oracle bench` on the same machine at the same time
//! (`scripts/bench-vs-reference.sh`, which alternates the two).
//!
//! `jit/<program>/<version>` reports instructions per second; `jit_compile/<program>/<version>`
//! reports text slots per second (its inverse is the compile time per instruction).

mod common;

use common::{load, programs_dir, PROGRAMS};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::env::{run_with, RunSetup};
use sbvm::isa::SbpfVersion;
use sbvm::vm::Engine;

fn execution(c: &mut Criterion) {
    let Some(dir) = programs_dir() else {
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
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        for name in PROGRAMS {
            let mut executable = load(&dir, name, version);
            group.throughput(Throughput::Elements((executable.text().len() / 8) as u64));
            group.bench_function(format!("{name}/{version}"), |b| {
                b.iter(|| executable.jit_compile().unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, execution, compile);
criterion_main!(benches);
