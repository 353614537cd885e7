//! Verifier and assembler throughput.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::verifier::verify;

fn straight_line_source(slots: usize) -> String {
    let mut source = String::new();
    for i in 0..slots {
        source.push_str(match i % 4 {
            0 => "add64 r1, 7\n",
            1 => "ldxdw r2, [r10-8]\n",
            2 => "jne r1, 0, +0\n",
            _ => "xor64 r0, r2\n",
        });
    }
    source.push_str("exit\n");
    source
}

fn bench(c: &mut Criterion) {
    let source = straight_line_source(4096);
    let text = assemble(&source, SbpfVersion::V3)
        .expect("benchmark program assembles")
        .text;
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements((text.len() / 8) as u64));
    group.bench_function("v3_4097_slots", |b| {
        b.iter(|| verify(&text, SbpfVersion::V3))
    });
    group.finish();
    let mut group = c.benchmark_group("assemble");
    group.throughput(Throughput::Elements(4097));
    group.bench_function("v3_4097_lines", |b| {
        b.iter(|| assemble(&source, SbpfVersion::V3))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
