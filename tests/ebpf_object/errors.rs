//! Bad objects give typed errors that name the place; mutated objects never panic.

use super::*;
use goblin::elf::header::ET_DYN;

/// A minimal valid object with one program section and whatever `extra` adds.
fn object_with(extra: impl FnOnce(&mut ObjectBuilder, usize)) -> Vec<u8> {
    let mut object = ObjectBuilder::new();
    let prog = object.section("kprobe/sys_write", Kind::Code, code(&[exit()]));
    object.function("prog", prog, 0);
    extra(&mut object, prog);
    object.build()
}

#[test]
fn not_relocatable_is_rejected() {
    let mut object = ObjectBuilder::new();
    object.section("xdp", Kind::Code, code(&[exit()]));
    object.e_type = ET_DYN;
    // ELF gABI: ET_DYN = 3.
    assert_eq!(
        parse_object(&object.build()).unwrap_err(),
        ObjectError::NotRelocatable { e_type: 3 }
    );
}

#[test]
fn wrong_machine_is_rejected() {
    let mut object = ObjectBuilder::new();
    object.section("xdp", Kind::Code, code(&[exit()]));
    object.machine = 62; // EM_X86_64 (ELF gABI)
    assert_eq!(
        parse_object(&object.build()).unwrap_err(),
        ObjectError::WrongMachine { machine: 62 }
    );
}

#[test]
fn unknown_relocation_in_code_names_type_section_and_offset() {
    let bytes = object_with(|object, prog| {
        let symbol = object.section_symbol(prog);
        object.relocation(prog, 0, symbol, writer::R_BPF_64_ABS64);
    });
    assert_eq!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::UnknownRelocation {
            section: "kprobe/sys_write".into(),
            offset: 0,
            r_type: 2
        }
    );
}

#[test]
fn relocation_on_the_wrong_instruction_is_rejected() {
    let bytes = object_with(|object, prog| {
        let symbol = object.section_symbol(prog);
        object.relocation(prog, 0, symbol, R_BPF_64_64);
    });
    assert!(matches!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::RelocatedInstruction {
            opcode: EXIT,
            expected: "lddw",
            ..
        }
    ));
}

#[test]
fn truncated_section_is_rejected() {
    let mut bytes = object_with(|_, _| {});
    // Section 1's sh_size (at +32 in Elf64_Shdr) made larger than the file.
    let header = writer::section_header_offset(&bytes, 1);
    bytes[header + 32..header + 40].copy_from_slice(&0x10_0000u64.to_le_bytes());
    assert!(matches!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::SectionOutOfBounds { section, size: 0x10_0000, .. } if section == "kprobe/sys_write"
    ));
}

#[test]
fn legacy_map_size_must_divide() {
    let bytes = object_with(|object, _| {
        let maps = object.section("maps", Kind::Writable, vec![0; 45]);
        object.object("a", maps, 0, 20);
        object.object("b", maps, 20, 20);
    });
    assert_eq!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::LegacyMapSize { size: 45, count: 2 }
    );
}

#[test]
fn btf_unknown_kind_is_rejected() {
    let bytes = object_with(|object, _| {
        let maps = object.section(".maps", Kind::Writable, vec![0; 32]);
        let mut btf = maps_btf(&[("counts", 2, 4, 4, 8)]);
        // Kind 20 is past ENUM64 (19), the last kind btf.rst defines.
        let id = btf.raw("", 20, 0, 0, &[]);
        object.section(".BTF", Kind::Plain, btf.build());
        object.object("counts", maps, 0, 32);
        assert!(id > 1);
    });
    assert!(matches!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::Btf(BtfError::UnknownKind { kind: 20, .. })
    ));
}

#[test]
fn btf_map_needs_its_symbol_and_btf() {
    let no_symbol = object_with(|object, _| {
        object.section(".maps", Kind::Writable, vec![0; 32]);
        object.section(
            ".BTF",
            Kind::Plain,
            maps_btf(&[("counts", 2, 4, 4, 8)]).build(),
        );
    });
    assert_eq!(
        parse_object(&no_symbol).unwrap_err(),
        ObjectError::MapSymbol {
            name: "counts".into()
        }
    );
    let no_btf = object_with(|object, _| {
        let maps = object.section(".maps", Kind::Writable, vec![0; 32]);
        object.object("counts", maps, 0, 32);
    });
    assert_eq!(parse_object(&no_btf).unwrap_err(), ObjectError::MissingBtf);
}

#[test]
fn several_programs_need_a_section_name() {
    let bytes = object_with(|object, _| {
        let other = object.section("xdp", Kind::Code, code(&[exit()]));
        object.function("other", other, 0);
    });
    let object = parse_object(&bytes).unwrap();
    let names = vec!["kprobe/sys_write".to_string(), "xdp".to_string()];
    assert_eq!(
        object.link(None).unwrap_err(),
        ObjectError::SeveralPrograms {
            names: names.clone()
        }
    );
    assert_eq!(
        object.link(Some("tc")).unwrap_err(),
        ObjectError::UnknownProgram {
            name: "tc".into(),
            available: names
        }
    );
    assert_eq!(object.link(Some("xdp")).unwrap().text, code(&[exit()]));
}

#[test]
fn no_program_is_an_error() {
    let mut object = ObjectBuilder::new();
    object.section(".text", Kind::Code, Vec::new());
    let object = parse_object(&object.build()).unwrap();
    assert!(object.programs.is_empty());
    assert_eq!(object.link(None).unwrap_err(), ObjectError::NoProgram);
}

#[test]
fn call_outside_its_section_is_rejected() {
    let bytes = object_with(|object, _| {
        let xdp = object.section("xdp", Kind::Code, code(&[insn(CALL, 0, 1, 0, 5), exit()]));
        object.function("other", xdp, 0);
    });
    let object = parse_object(&bytes).unwrap();
    assert_eq!(
        object.link(Some("xdp")).unwrap_err(),
        ObjectError::CallOutOfBounds {
            section: "xdp".into(),
            index: 0,
            target_section: "xdp".into(),
            target: 6
        }
    );
}

/// xorshift64 (Marsaglia 2003): deterministic pseudo-random numbers without a crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

#[test]
fn mutated_objects_never_panic() {
    let originals = [
        calls_object(),
        data_object(),
        writer::runner_object(&code(&[exit()])),
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut loaded = 0;
    // SBVM_MUTATION_ROUNDS runs longer locally; CI keeps the default.
    let rounds = std::env::var("SBVM_MUTATION_ROUNDS")
        .ok()
        .and_then(|rounds| rounds.parse().ok())
        .unwrap_or(6000);
    for round in 0..rounds {
        let mut bytes = originals[round % originals.len()].clone();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(bytes.len());
            bytes[at] = match rng.below(4) {
                0 => rng.next() as u8,
                1 => bytes[at] ^ (1 << rng.below(8)),
                2 => 0xff,
                _ => 0,
            };
        }
        if rng.below(16) == 0 {
            let keep = rng.below(bytes.len());
            bytes.truncate(keep);
        }
        if let Ok(object) = parse_object(&bytes) {
            loaded += 1;
            let _ = object.link(None);
            for program in &object.programs {
                let _ = object.link(Some(&program.name));
            }
        }
    }
    // Most single-byte changes leave an object that still loads: the loop reached link().
    assert!(loaded > 100, "only {loaded} mutants loaded");
}

#[test]
fn lddw_of_an_undefined_symbol_or_past_its_data_is_rejected() {
    let lddw = code(&[insn(LDDW, 1, 0, 0, 0x20), insn(0, 0, 0, 0, 0), exit()]);
    let undefined = {
        let mut object = ObjectBuilder::new();
        let prog = object.section("xdp", Kind::Code, lddw.clone());
        let symbol = object.object("extern_var", 0, 0, 0);
        object.relocation(prog, 0, symbol, R_BPF_64_64);
        object.build()
    };
    assert_eq!(
        parse_object(&undefined).unwrap_err(),
        ObjectError::RelocationTarget {
            section: "xdp".into(),
            offset: 0,
            symbol: "extern_var".into(),
            target: "undefined".into()
        }
    );
    let past = {
        let mut object = ObjectBuilder::new();
        let prog = object.section("xdp", Kind::Code, lddw);
        let rodata = object.section(".rodata", Kind::ReadOnly, vec![0; 16]);
        let symbol = object.section_symbol(rodata);
        object.relocation(prog, 0, symbol, R_BPF_64_64);
        object.build()
    };
    assert_eq!(
        parse_object(&past).unwrap_err(),
        ObjectError::DataOffset {
            section: "xdp".into(),
            offset: 0,
            target: ".rodata".into(),
            value: 0x20,
            size: 16
        }
    );
}

#[test]
fn bss_larger_than_its_guest_span_is_rejected() {
    // sbvm's layout gives a data section a span of layout::SPAN (64 MiB): one byte more has
    // nowhere to live.
    let size = sbvm::ebpf::layout::SPAN + 1;
    let bytes = object_with(|object, _| {
        object.bss(".bss", size);
    });
    assert_eq!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::DataTooLarge {
            section: ".bss".into(),
            size
        }
    );
}

#[test]
fn btf_map_without_a_type_member_is_rejected() {
    let bytes = object_with(|object, _| {
        let maps = object.section(".maps", Kind::Writable, vec![0; 8]);
        let mut btf = btf_writer::BtfBuilder::new();
        let int = btf.int("int", 4);
        let index = btf.int("__ARRAY_SIZE_TYPE__", 4);
        let array = btf.array(int, index, 4);
        let pointer = btf.ptr(array);
        // Only __uint(max_entries, 4): bpf_helpers.h maps always say their type.
        let def = btf.structure("", 8, &[("max_entries", pointer, 0)]);
        let var = btf.var("lonely", def);
        btf.datasec(".maps", 0, &[(var, 0, 0)]);
        object.section(".BTF", Kind::Plain, btf.build());
        object.object("lonely", maps, 0, 8);
    });
    assert_eq!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::Btf(BtfError::MapDefinition {
            map: "lonely".into(),
            reason: "no `type` member".into()
        })
    );
}

#[test]
fn rela_relocations_of_code_are_rejected() {
    let mut bytes = object_with(|object, prog| {
        let symbol = object.section_symbol(prog);
        object.relocation(prog, 0, symbol, R_BPF_64_32);
    });
    // The writer puts .relkprobe/sys_write at index 2; its sh_type (at +4 in Elf64_Shdr)
    // becomes SHT_RELA (4, ELF gABI).
    let header = writer::section_header_offset(&bytes, 2);
    bytes[header + 4..header + 8].copy_from_slice(&4u32.to_le_bytes());
    assert_eq!(
        parse_object(&bytes).unwrap_err(),
        ObjectError::RelaInCode {
            section: "kprobe/sys_write".into()
        }
    );
}
