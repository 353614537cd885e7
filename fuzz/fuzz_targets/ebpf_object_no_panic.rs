//! Arbitrary bytes as a clang eBPF object: parsing, linking every program and loading it
//! with its maps and data fail with typed errors, never a panic; whatever loads runs under a
//! small instruction limit on both engines, which must agree (result, count, logs, maps).
//! The clock helper (5) is pinned to 0 so that the engines' runs can be compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sbvm::ebpf::object::parse_object;
use sbvm::ebpf::program::{ebpf_runtime_with, EbpfProgram};
use sbvm::ebpf::run::Flavour;
use sbvm::vm::Engine;
use std::sync::Arc;

fuzz_target!(|bytes: &[u8]| {
    let Ok(object) = parse_object(bytes) else {
        return;
    };
    let runtime = Arc::new(ebpf_runtime_with(|runtime| {
        let _ = runtime
            .syscalls
            .register_with_key(5, "ktime_get_ns_pinned", |_, _, _| Ok(0));
    }));
    for program in &object.programs {
        let outcomes = Engine::ALL.map(|engine| {
            let (mut loaded, _) =
                EbpfProgram::from_object(bytes, Some(&program.name), runtime.clone()).ok()?;
            loaded.set_instruction_limit(10_000);
            let run = loaded.run(&Flavour::Raw, vec![0x5a; 64], engine);
            let maps: Vec<_> = loaded.maps().iter().map(|map| map.entries()).collect();
            Some((run, maps))
        });
        assert_eq!(
            outcomes[0], outcomes[1],
            "the engines disagree on {}",
            program.name
        );
    }
});
