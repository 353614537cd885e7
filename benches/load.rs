//! Load time: ELF parsing, relocation, verification and pre-decoding, per fixture of
//! shared/fixtures/elfs and for sbvm's own ELF output of a large generated program.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::env::standard_runtime;
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable};
use std::path::PathBuf;
use std::sync::Arc;

fn big_program(slots: usize) -> String {
    let mut source = String::from("entrypoint:\n");
    for i in 0..slots {
        source.push_str(match i % 5 {
            0 => "add64 r1, 7\n",
            1 => "ldxdw r2, [r10-8]\n",
            2 => "call function_leaf\n",
            3 => "syscall sol_log_64_\n",
            _ => "xor64 r0, r2\n",
        });
    }
    source.push_str("exit\nfunction_leaf:\nexit\n");
    source
}

fn bench(c: &mut Criterion) {
    let runtime = Arc::new(standard_runtime(Config::default()));
    let mut group = c.benchmark_group("load");
    for version in [SbpfVersion::V0, SbpfVersion::V3] {
        let assembled = sbvm::isa::asm::assemble(&big_program(10_000), version).unwrap();
        let elf = sbvm::elf::write_elf(&assembled).unwrap();
        group.throughput(Throughput::Elements((assembled.text.len() / 8) as u64));
        group.bench_function(format!("generated_10k/{version}"), |b| {
            b.iter(|| Executable::from_elf(&elf, runtime.clone()).unwrap())
        });
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/elfs");
    if !dir.exists() {
        eprintln!(
            "SKIP: {} not found; fixture load benchmarks skipped",
            dir.display()
        );
    }
    for name in [
        "relative_call_sbpfv0.so",
        "reloc_64_relative_data_sbpfv0.so",
        "struct_func_pointer.so",
        "syscall_static.so",
    ] {
        let Ok(bytes) = std::fs::read(dir.join(name)) else {
            continue;
        };
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("fixture/{name}"), |b| {
            b.iter(|| Executable::from_elf(&bytes, runtime.clone()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
