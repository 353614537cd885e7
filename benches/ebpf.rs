//! The Linux eBPF dialect on both engines: execution and compile speed.
//!
//! `ebpf/<engine>/<program>` runs the reference's benchmark programs (`shared/oracle/programs`)
//! as eBPF through the embedding API ([`EbpfProgram`]), beside `ebpf_ops`, a loop over the
//! dialect's own instructions (signed division, sign-extending moves and loads, byte swaps,
//! atomics, JMP32, a map lookup through helper 1). `sbpf_v3/<engine>/<program>` runs the same
//! program as SBPF V3 in the same group, so the two dialects compare in one session.
//! `ebpf_compile/<program>` is the JIT's compile time (text slots per second).

mod common;

use common::{load, programs_dir, PROGRAMS};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sbvm::ebpf::layout::map_address;
use sbvm::ebpf::map_def::{MapDef, MapKind};
use sbvm::ebpf::program::{ebpf_runtime, EbpfProgram};
use sbvm::ebpf::run::Flavour;
use sbvm::env::{run_with, RunSetup};
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::vm::Engine;

/// One million rounds of the dialect's own instructions.
fn ebpf_ops_source() -> String {
    let map = map_address(0).unwrap();
    format!(
        "stw [r10-4], 0
         lddw r1, {map:#x}
         mov64 r2, r10
         add64 r2, -4
         call 1
         mov64 r9, r0
         mov64 r6, 1000000
         mov64 r7, -12345
         stdw [r10-16], 0
         loop:
         mov64 r1, r7
         sdiv64 r1, 7
         smod32 r1, 5
         movsx832 r2, r7
         movsx1664 r3, r6
         add64 r2, r3
         stxw [r10-8], r2
         ldxsw r4, [r10-8]
         bswap32 r4
         mov64 r5, 1
         lock_add64 [r10-16], r5
         lock_fetch_add64 [r9+0], r5
         add64 r7, r4
         add64 r6, -1
         jne32 r6, 0, loop
         ldxdw r0, [r10-16]
         add64 r0, r7
         exit"
    )
}

fn counter_map() -> MapDef {
    MapDef {
        name: "counter".into(),
        kind: MapKind::Array,
        key_size: 4,
        value_size: 8,
        max_entries: 1,
        flags: 0,
    }
}

/// The benchmark programs that run as eBPF within its 8 frames of 512 bytes, and `ebpf_ops`.
fn programs() -> Vec<(String, Vec<u8>)> {
    let mut programs = Vec::new();
    if let Some(dir) = programs_dir() {
        for name in PROGRAMS {
            let source = std::fs::read_to_string(dir.join(format!("{name}.asm"))).unwrap();
            let text = assemble(&source, SbpfVersion::Ebpf).unwrap().text;
            let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
            let run = program
                .run(&Flavour::NoData, Vec::new(), Engine::Interpreter)
                .unwrap();
            match run.result {
                Ok(_) => programs.push((name.to_string(), text)),
                Err(error) => eprintln!("not benched as eBPF: {name} ({error})"),
            }
        }
    }
    let ops = assemble(&ebpf_ops_source(), SbpfVersion::Ebpf)
        .unwrap()
        .text;
    programs.push(("ebpf_ops".to_string(), ops));
    programs
}

fn execution(c: &mut Criterion) {
    let mut group = c.benchmark_group("ebpf");
    group.sample_size(10);
    let dir = programs_dir();
    for (name, text) in programs() {
        for engine in Engine::ALL {
            let mut program =
                EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[counter_map()]).unwrap();
            program.jit_compile().unwrap();
            let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
            assert!(run.result.is_ok(), "{name}: {:?}", run.result);
            group.throughput(Throughput::Elements(run.instructions));
            group.bench_function(format!("ebpf/{}/{name}", engine.name()), |b| {
                b.iter(|| program.run(&Flavour::NoData, Vec::new(), engine).unwrap())
            });
            // The same program as SBPF V3, in the same session.
            if let (Some(dir), true) = (&dir, PROGRAMS.contains(&name.as_str())) {
                let mut executable = load(dir, &name, SbpfVersion::V3);
                executable.jit_compile().unwrap();
                let setup = RunSetup::default();
                let instructions = run_with(&executable, &setup, engine).unwrap().instructions;
                group.throughput(Throughput::Elements(instructions));
                group.bench_function(format!("sbpf_v3/{}/{name}", engine.name()), |b| {
                    b.iter(|| run_with(&executable, &setup, engine).unwrap())
                });
            }
        }
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("ebpf_compile");
    for (name, text) in programs() {
        let mut program =
            EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[counter_map()]).unwrap();
        group.throughput(Throughput::Elements((text.len() / 8) as u64));
        group.bench_function(&name, |b| b.iter(|| program.jit_compile().unwrap()));
    }
    group.finish();
}

criterion_group!(benches, execution, compile);
criterion_main!(benches);
