//! Interpreter execution speed on the reference's benchmark programs (`shared/oracle/programs`).
//! Compare with `oracle bench` run on the same machine at the same time (see README).

mod common;

use common::{load, programs_dir, PROGRAMS};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::env::{run_interpreted, RunSetup};
use sbvm::isa::SbpfVersion;

fn bench(c: &mut Criterion) {
    let Some(dir) = programs_dir() else {
        return;
    };
    let mut group = c.benchmark_group("interpret");
    group.sample_size(10);
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        for name in PROGRAMS {
            let executable = load(&dir, name, version);
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
