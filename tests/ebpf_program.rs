//! The eBPF embedding API: a program loaded once and run many times, maps and global data
//! kept across runs, rbpf's four flavours, trace logs, the instruction limit, both engines.
//! Expected values follow from the programs' own arithmetic and from the kernel's helper
//! semantics (map lookups return the value's address; `trace_printk` formats as printf).

use sbvm::ebpf::layout::{map_address, INPUT_START, MBUFF_START};
use sbvm::ebpf::map_def::{MapDef, MapKind};
use sbvm::ebpf::object::DataSection;
use sbvm::ebpf::program::{ebpf_runtime, EbpfProgram};
use sbvm::ebpf::run::Flavour;
use sbvm::isa::asm::assemble;
use sbvm::isa::SbpfVersion;
use sbvm::vm::{EbpfError, Engine};

fn bytecode(source: &str) -> Vec<u8> {
    assemble(source, SbpfVersion::Ebpf)
        .unwrap_or_else(|e| panic!("{e}\n{source}"))
        .text
}

fn array(name: &str, max_entries: u32) -> MapDef {
    MapDef {
        name: name.into(),
        kind: MapKind::Array,
        key_size: 4,
        value_size: 8,
        max_entries,
        flags: 0,
    }
}

/// Counts its runs in slot 0 of an array map: lookup (helper 1), then an atomic add through
/// the pointer; returns the new count.
fn counter_source() -> String {
    let map = map_address(0).unwrap();
    format!(
        "stw [r10-4], 0
         lddw r1, {map:#x}
         mov64 r2, r10
         add64 r2, -4
         call 1
         jeq r0, 0, +5
         mov64 r1, 1
         lock_fetch_add64 [r0+0], r1
         add64 r1, 1
         mov64 r0, r1
         exit
         mov64 r0, -1
         exit"
    )
}

#[test]
fn a_map_keeps_its_values_across_runs_on_both_engines() {
    for engine in Engine::ALL {
        let text = bytecode(&counter_source());
        let mut program =
            EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[array("runs", 2)]).unwrap();
        for expected in 1..=3u64 {
            let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
            assert_eq!(run.result, Ok(expected), "{engine:?}");
        }
        let runs = program.maps().get("runs").unwrap();
        assert_eq!(
            runs.lookup(&0u32.to_le_bytes()),
            Some(&3u64.to_le_bytes()[..])
        );
        // The embedder changes the map between runs; the program sees it.
        program
            .maps_mut()
            .get_mut("runs")
            .unwrap()
            .update(&0u32.to_le_bytes(), &100u64.to_le_bytes(), 0)
            .unwrap();
        let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
        assert_eq!(run.result, Ok(101));
    }
}

#[test]
fn global_data_persists_and_rodata_is_read_only() {
    let data = 0x5_0000_0000u64;
    let rodata = 0x6_0000_0000u64;
    let source = format!(
        "lddw r1, {data:#x}
         ldxdw r0, [r1+0]
         add64 r0, 1
         stxdw [r1+0], r0
         lddw r2, {rodata:#x}
         ldxdw r3, [r2+0]
         add64 r0, r3
         jeq r0, 0, +1
         exit
         stxdw [r2+0], r0
         exit"
    );
    let globals = vec![
        DataSection {
            name: ".data".into(),
            address: data,
            bytes: 5u64.to_le_bytes().to_vec(),
            writable: true,
        },
        DataSection {
            name: ".rodata".into(),
            address: rodata,
            bytes: 1000u64.to_le_bytes().to_vec(),
            writable: false,
        },
    ];
    let mut program =
        EbpfProgram::from_parts(&bytecode(&source), ebpf_runtime(), &[], globals).unwrap();
    for (engine, expected) in [(Engine::Interpreter, 1006), (Engine::Jit, 1007)] {
        let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
        assert_eq!(run.result, Ok(expected));
    }
    assert_eq!(program.data()[0].bytes, 7u64.to_le_bytes());
    // A store into .rodata is an access violation (the counter wraps r0 to 0 only if poked).
    let mut poked = program.data().to_vec();
    poked[0].bytes = u64::MAX.to_le_bytes().to_vec();
    poked[1].bytes = 0u64.to_le_bytes().to_vec();
    let mut program =
        EbpfProgram::from_parts(&bytecode(&source), ebpf_runtime(), &[], poked).unwrap();
    let run = program
        .run(&Flavour::NoData, Vec::new(), Engine::Interpreter)
        .unwrap();
    assert!(
        matches!(run.result, Err(EbpfError::AccessViolation { .. })),
        "{:?}",
        run.result
    );
}

#[test]
fn the_four_flavours_set_r1_and_r2() {
    // r0 = r1 ^ (r2 << 40): both registers in one value.
    let text = bytecode("mov64 r0, r2\nlsh64 r0, 40\nxor64 r0, r1\nexit");
    let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
    let mut run = |flavour: Flavour, input: Vec<u8>| {
        program
            .run(&flavour, input, Engine::Interpreter)
            .unwrap()
            .result
            .unwrap()
    };
    assert_eq!(run(Flavour::Raw, vec![0; 6]), INPUT_START ^ (6 << 40));
    assert_eq!(run(Flavour::NoData, vec![0; 6]), 0);
    assert_eq!(run(Flavour::Mbuff(vec![1, 2]), vec![0; 6]), MBUFF_START);
    assert_eq!(run(Flavour::Mbuff(Vec::new()), vec![0; 6]), INPUT_START);
    let fixed = Flavour::FixedMbuff {
        data_offset: 8,
        data_end_offset: 24,
    };
    assert_eq!(run(fixed, vec![0; 6]), MBUFF_START);
}

#[test]
fn the_fixed_metadata_buffer_holds_the_inputs_start_and_end() {
    // r0 = data_end - data, read from the buffer; plus the first input byte.
    let text = bytecode(
        "ldxdw r2, [r1+8]\nldxdw r3, [r1+24]\nmov64 r0, r3\nsub64 r0, r2\n\
         ldxb r4, [r2+0]\nlsh64 r4, 32\nor64 r0, r4\nexit",
    );
    let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
    let flavour = Flavour::FixedMbuff {
        data_offset: 8,
        data_end_offset: 24,
    };
    for engine in Engine::ALL {
        let run = program
            .run(&flavour, vec![0x2a, 0, 0, 0, 0], engine)
            .unwrap();
        assert_eq!(run.result, Ok((0x2a << 32) | 5));
    }
}

#[test]
fn trace_printk_lines_come_back_per_run() {
    // "n=%d\n\0" on the stack, then trace_printk(fmt, 6, r6).
    let text = bytecode(
        "mov64 r6, -7
         stw [r10-8], 0x64253d6e
         stw [r10-4], 0
         stb [r10-4], 0x0a
         mov64 r1, r10
         add64 r1, -8
         mov64 r2, 6
         mov64 r3, r6
         call 6
         exit",
    );
    let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
    for engine in Engine::ALL {
        let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
        assert_eq!(run.logs, vec!["n=-7".to_string()], "{engine:?}");
        // The helper returns the bytes written ("n=-7\n").
        assert_eq!(run.result, Ok(5));
    }
}

#[test]
fn the_instruction_limit_stops_a_loop() {
    let text = bytecode("mov64 r0, 0\nadd64 r0, 1\nja -2\nexit");
    let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
    program.set_instruction_limit(1000);
    for engine in Engine::ALL {
        let run = program.run(&Flavour::NoData, Vec::new(), engine).unwrap();
        assert_eq!(
            run.result,
            Err(EbpfError::ExceededMaxInstructions),
            "{engine:?}"
        );
        assert_eq!(run.instructions, 1000);
    }
}

#[test]
fn a_program_that_falls_off_its_end_does_not_load() {
    let text = bytecode("mov64 r0, 0");
    let error = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[])
        .err()
        .unwrap();
    assert_eq!(error.kind_name(), "NoExit");
}

#[test]
fn the_run_gives_back_the_input_as_the_program_left_it() {
    // stb [r1+1], 0x7f: a packet program rewriting its packet.
    let text = bytecode("stb [r1+1], 0x7f\nmov64 r0, 0\nexit");
    let mut program = EbpfProgram::from_bytecode(&text, ebpf_runtime(), &[]).unwrap();
    for engine in Engine::ALL {
        let run = program.run(&Flavour::Raw, vec![1, 2, 3], engine).unwrap();
        assert_eq!(run.input, vec![1, 0x7f, 3], "{engine:?}");
    }
    // No input region in the no-data flavour: nothing to give back.
    let run = program
        .run(&Flavour::NoData, vec![9], Engine::Interpreter)
        .unwrap();
    assert!(run.result.is_err());
    assert!(run.input.is_empty());
}
