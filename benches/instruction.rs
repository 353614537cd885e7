//! Whole Solana instructions: compile the accounts, serialize the input, run the program, write
//! the accounts back, with programs loaded (and compiled) once — what `sbvm fixture --bench`
//! times, on fixtures recorded from mollusk. Compare with mollusk on the same fixtures at the
//! same time: `scripts/bench-vs-mollusk.sh` (mollusk's medians from `solana-oracle --iters`).
//!
//! `instruction/<program>/<fixture>/<engine>`.

#[path = "../tests/common/programs.rs"]
mod programs;

use criterion::{criterion_group, criterion_main, Criterion};
use sbvm::solana::fixture::{Fixture, FixtureRunner};
use sbvm::vm::Engine;
use std::path::PathBuf;

/// (label, fixture file relative to the repository).
const FIXTURES: &[(&str, &str)] = &[
    (
        "p-token/transfer",
        "../shared/solana-oracle/fixtures/p-token/transfer.json",
    ),
    (
        "p-token/mint_to",
        "../shared/solana-oracle/fixtures/p-token/mint_to.json",
    ),
    (
        "p-token/initialize_mint2",
        "../shared/solana-oracle/fixtures/p-token/initialize_mint2.json",
    ),
    (
        "token-2022/transfer",
        "tests/data/solana/token-2022/transfer.json",
    ),
    (
        "token-2022/mint_to",
        "tests/data/solana/token-2022/mint_to.json",
    ),
    ("memo/memo_plain", "tests/data/solana/memo/memo_plain.json"),
    // Cross-program invocation: the ATA program calls SPL Token three times and the system
    // program once.
    ("ata/ata_create", "tests/data/solana/ata/ata_create.json"),
];

fn instructions(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    let dirs = programs::program_dirs(Some(&shared));
    let mut group = c.benchmark_group("instruction");
    group.sample_size(20);
    for engine in Engine::ALL {
        let mut runner = FixtureRunner::new(engine).unwrap();
        for (label, file) in FIXTURES {
            let Ok(text) = std::fs::read_to_string(root.join(file)) else {
                eprintln!("SKIP: {file} not found");
                continue;
            };
            let fixture = Fixture::from_json(&text).unwrap();
            let files: Vec<&str> = std::iter::once(&fixture.program)
                .chain(&fixture.other_programs)
                .map(|program| program.file.as_str())
                .collect();
            let Some(dir) = programs::dir_with(&dirs, &files) else {
                eprintln!("SKIP: programs {files:?} not found");
                continue;
            };
            runner.prepare(&fixture, dir).unwrap();
            assert!(fixture
                .differences(&runner.run(&fixture).unwrap())
                .is_empty());
            group.bench_function(format!("{label}/{}", engine.name()), |b| {
                b.iter(|| runner.run(&fixture).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, instructions);
criterion_main!(benches);
