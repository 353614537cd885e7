//! C programs compiled by clang (`-target bpf -O2 -g -mcpu=v3`), loaded from their objects
//! and run: a kprobe that counts in a legacy-map hash and prints through `bpf_trace_printk`,
//! and a packet program with a BTF-defined array map, global data (`.data`, `.bss`,
//! `.rodata.cst4`), a bpf-to-bpf call and an atomic add. Expected values follow from the C
//! sources in `tests/data/ebpf-c` (computed by hand in each test) and the kernel's helper
//! semantics. The objects are compiled when the tests run; without `clang-19` they skip.

mod common;

use sbvm::ebpf::map_def::MapKind;
use sbvm::ebpf::program::{ebpf_runtime, EbpfProgram};
use sbvm::ebpf::run::Flavour;
use sbvm::vm::Engine;
use std::path::Path;

/// Compiles `tests/data/ebpf-c/NAME.c` into a scratch folder and reads the object.
fn compile(name: &str) -> Option<Vec<u8>> {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::temp_dir().join(format!("sbvm-ebpf-c-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let object = out_dir.join(format!("{name}.o"));
    common::clang::compile_c(repository, name, &object)?;
    Some(std::fs::read(&object).unwrap())
}

#[test]
fn the_kprobe_counts_across_runs_and_prints() {
    let Some(bytes) = compile("kprobe") else {
        return;
    };
    for engine in Engine::ALL {
        let (mut program, linked) = EbpfProgram::from_object(&bytes, None, ebpf_runtime()).unwrap();
        assert_eq!(linked.section, "kprobe/sys_write");
        let calls = program.maps().get("calls").unwrap().def().clone();
        assert_eq!(
            (
                calls.kind,
                calls.key_size,
                calls.value_size,
                calls.max_entries
            ),
            (MapKind::Hash, 4, 8, 16)
        );
        for count in 1..=3u64 {
            let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
            // Returns the count; cpu 0 (helper 8) is the key.
            assert_eq!(run.result, Ok(count), "{engine:?}");
            assert_eq!(
                run.logs,
                vec![format!("sys_write called {count} times on cpu 0")]
            );
        }
        let calls = program.maps().get("calls").unwrap();
        assert_eq!(
            calls.entries(),
            vec![(0u32.to_le_bytes().to_vec(), 3u64.to_le_bytes().to_vec())]
        );
    }
}

#[test]
fn the_packet_program_weighs_and_totals() {
    let Some(bytes) = compile("packet") else {
        return;
    };
    // Packet 1 2 3 4 5 weighted 1 2 3 4 1 (weights[i & 3]): 1 + 4 + 9 + 16 + 5 = 35.
    let packet = vec![1u8, 2, 3, 4, 5];
    // struct packet { u64 data; u64 data_end; }: the fixed metadata buffer at offsets 0 and 8.
    let flavour = Flavour::FixedMbuff {
        data_offset: 0,
        data_end_offset: 8,
    };
    for engine in Engine::ALL {
        let (mut program, linked) = EbpfProgram::from_object(&bytes, None, ebpf_runtime()).unwrap();
        assert_eq!(linked.section, "xdp");
        assert!(linked
            .functions
            .iter()
            .any(|(_, name)| name == "weighted_sum"));
        for run_number in 1..=2u64 {
            let run = program.run(&flavour, packet.clone(), engine).unwrap();
            assert_eq!(run.result, Ok(35), "{engine:?}");
            let totals = program.maps().get("totals").unwrap();
            assert_eq!(totals.def().kind, MapKind::Array);
            assert_eq!(
                totals.lookup(&0u32.to_le_bytes()),
                Some(&(35 * run_number).to_le_bytes()[..])
            );
            let data = |name: &str| {
                let section = program.data().iter().find(|s| s.name == name).unwrap();
                u64::from_le_bytes(section.bytes[..8].try_into().unwrap())
            };
            // packets_seen starts at 100 (.data); last_sum is zero-initialized (.bss).
            assert_eq!(data(".data"), 100 + run_number);
            assert_eq!(data(".bss"), 35);
        }
    }
}

#[test]
fn a_longer_packet_is_summed_up_to_64_bytes() {
    let Some(bytes) = compile("packet") else {
        return;
    };
    let packet: Vec<u8> = (0..100).map(|i| i as u8).collect();
    // Bytes 0..63 only (the loop's bound), byte i weighted (i & 3) + 1.
    let expected: u64 = (0..64u64).map(|i| i * ((i & 3) + 1)).sum();
    let flavour = Flavour::FixedMbuff {
        data_offset: 0,
        data_end_offset: 8,
    };
    for engine in Engine::ALL {
        let (mut program, _) = EbpfProgram::from_object(&bytes, None, ebpf_runtime()).unwrap();
        let run = program.run(&flavour, packet.clone(), engine).unwrap();
        assert_eq!(run.result, Ok(expected), "{engine:?}");
    }
}
