//! The eBPF object loader on objects built here byte by byte (no clang): the conformance
//! runner's `--elf` shape, calls laid out and patched, `lddw` of data and maps, legacy and
//! BTF map definitions, the typed errors, and mutated objects that must never panic.

#[path = "ebpf_object/btf_writer.rs"]
mod btf_writer;
#[path = "ebpf_object/writer.rs"]
mod writer;

use btf_writer::maps_btf;
use sbvm::ebpf::layout::{data_address, map_address};
use sbvm::ebpf::map_def::{MapDef, MapKind};
use sbvm::ebpf::object::{
    parse_object, BtfError, LinkedRelocation, ObjectError, ProgramSection, RelocationKind,
};
use writer::{code, insn, Kind, ObjectBuilder, R_BPF_64_32, R_BPF_64_64, R_BPF_64_NODYLD32};

// Opcodes from RFC 9669 (§3 classes, §4 arithmetic and jumps, §5.4 lddw).
const MOV64_IMM: u8 = 0xb7;
const MOV32_IMM: u8 = 0xb4;
const EXIT: u8 = 0x95;
const CALL: u8 = 0x85;
const LDDW: u8 = 0x18;

fn exit() -> [u8; 8] {
    insn(EXIT, 0, 0, 0, 0)
}

/// The imm of slot `index` of `text`.
fn imm_at(text: &[u8], index: usize) -> i32 {
    i32::from_le_bytes(text[index * 8 + 4..index * 8 + 8].try_into().unwrap())
}

/// The src register of slot `index` of `text`.
fn src_at(text: &[u8], index: usize) -> u8 {
    text[index * 8 + 1] >> 4
}

/// The 64-bit value an lddw at `index` loads (RFC 9669 §5.4: imm low, next imm high).
fn lddw_value(text: &[u8], index: usize) -> u64 {
    (imm_at(text, index) as u32 as u64) | ((imm_at(text, index + 1) as u32 as u64) << 32)
}

#[test]
fn runner_elf_shape_loads_text_as_the_program() {
    // bpf_conformance's bpf_writer.cc: names in .shstrtab (symtab sh_link = 1), main in .text.
    let text = code(&[
        insn(MOV32_IMM, 0, 0, 0, 0x2a),
        insn(CALL, 0, 1, 0, 1), // local call, pc-relative, no relocation
        exit(),
        insn(MOV64_IMM, 0, 0, 0, 3),
        exit(),
    ]);
    let object = parse_object(&writer::runner_object(&text)).unwrap();
    assert_eq!(
        object.programs,
        vec![ProgramSection {
            name: ".text".into(),
            functions: vec!["main".into()]
        }]
    );
    assert!(object.maps.is_empty() && object.data.is_empty() && object.license.is_none());
    let linked = object.link(None).unwrap();
    assert_eq!(linked.section, ".text");
    // The whole section is the entry: nothing moves, so the relative call is unchanged.
    assert_eq!(linked.text, text);
    assert_eq!(linked.functions, vec![(0, "main".to_string())]);
    assert!(linked.relocations.is_empty());
}

/// xdp calls a global and (through the section symbol) a static .text function, and a
/// helper; gfunc calls lfunc pc-relatively; ufunc is never called.
fn calls_object() -> Vec<u8> {
    let mut object = ObjectBuilder::new();
    let text = object.section(
        ".text",
        Kind::Code,
        code(&[
            insn(MOV64_IMM, 0, 0, 0, 7), // 0 ufunc
            exit(),
            insn(MOV64_IMM, 0, 0, 0, 2), // 2 gfunc
            insn(CALL, 0, 1, 0, 1),      // 3 → 3 + 1 + 1 = 5, lfunc
            exit(),
            insn(MOV64_IMM, 0, 0, 0, 3), // 5 lfunc
            exit(),
        ]),
    );
    let xdp = object.section(
        "xdp",
        Kind::Code,
        code(&[
            insn(MOV64_IMM, 1, 0, 0, 1),
            insn(CALL, 0, 1, 0, -1), // global: imm -1 (llvm_reloc.rst)
            insn(CALL, 0, 1, 0, 4),  // static: imm = 0x28 / 8 - 1 against the section symbol
            insn(CALL, 0, 0, 0, 6),  // helper 6, no relocation
            exit(),
        ]),
    );
    object.section("license", Kind::Plain, b"GPL\0".to_vec());
    let text_symbol = object.section_symbol(text);
    object.static_function("ufunc", text, 0);
    let gfunc = object.function("gfunc", text, 0x10);
    object.static_function("lfunc", text, 0x28);
    object.function("prog", xdp, 0);
    object.relocation(xdp, 8, gfunc, R_BPF_64_32);
    object.relocation(xdp, 16, text_symbol, R_BPF_64_32);
    // llc 14 writes .eh_frame with R_BPF_64_ABS64 against the code sections: not code, ignored.
    let eh_frame = object.section(".eh_frame", Kind::ReadOnly, vec![0; 0x20]);
    object.relocation(eh_frame, 0x18, text_symbol, writer::R_BPF_64_ABS64);
    object.build()
}

#[test]
fn calls_lay_out_each_reached_function_once() {
    let object = parse_object(&calls_object()).unwrap();
    assert_eq!(object.license.as_deref(), Some("GPL"));
    assert_eq!(
        object.programs,
        vec![ProgramSection {
            name: "xdp".into(),
            functions: vec!["prog".into()]
        }]
    );
    let linked = object.link(None).unwrap();
    // Layout: xdp 0..5, gfunc (first call met) 5..8, lfunc 8..10; ufunc left out.
    assert_eq!(linked.text.len(), 10 * 8);
    assert_eq!(
        linked.functions,
        vec![(0, "prog".into()), (5, "gfunc".into()), (8, "lfunc".into())]
    );
    // imm = landed_target − (landed_call + 1), src = 1 (llvm_reloc.rst, ubpf's loader).
    assert_eq!(
        (imm_at(&linked.text, 1), src_at(&linked.text, 1)),
        (5 - 2, 1)
    );
    assert_eq!(
        (imm_at(&linked.text, 2), src_at(&linked.text, 2)),
        (8 - 3, 1)
    );
    // The helper call is left alone.
    assert_eq!((imm_at(&linked.text, 3), src_at(&linked.text, 3)), (6, 0));
    // gfunc's pc-relative call (landed at 6) still reaches lfunc (landed at 8).
    assert_eq!(
        (imm_at(&linked.text, 6), src_at(&linked.text, 6)),
        (8 - 7, 1)
    );
    assert_eq!(imm_at(&linked.text, 5), 2);
    assert_eq!(imm_at(&linked.text, 8), 3);
    assert_eq!(
        linked.relocations,
        vec![
            LinkedRelocation {
                index: 1,
                kind: RelocationKind::Call,
                symbol: "gfunc".into()
            },
            LinkedRelocation {
                index: 2,
                kind: RelocationKind::Call,
                symbol: ".text".into()
            },
        ]
    );
    assert_eq!(RelocationKind::Call.elf_name(), "R_BPF_64_32");
}

/// A legacy `maps` section of two 28-byte definitions (kernel samples' bpf_map_def with
/// inner_map_idx and numa_node), as bytes.
fn legacy_maps_bytes() -> Vec<u8> {
    let mut bytes = Vec::new();
    for fields in [[1u32, 4, 8, 16, 0, 0, 0], [2, 4, 4, 2, 1, 0, 0]] {
        for field in fields {
            bytes.extend_from_slice(&field.to_le_bytes());
        }
    }
    bytes
}

/// A program with lddw of .rodata (+ addend), .data, .bss, a legacy map and a BTF map.
fn data_object() -> Vec<u8> {
    let mut object = ObjectBuilder::new();
    let lddw = |dst: u8, src: u8, imm: i32| [insn(LDDW, dst, src, 0, imm), insn(0, 0, 0, 0, 0)];
    let mut insns = Vec::new();
    insns.extend(lddw(1, 0, 6)); // 0: .rodata + 6, through the section symbol
    insns.extend(lddw(2, 0, 0)); // 2: gvar
    insns.extend(lddw(3, 0, 0)); // 4: bss_var
    insns.extend(lddw(4, 1, 0)); // 6: map_b (src set, as BPF_PSEUDO_MAP_FD would be)
    insns.extend(lddw(5, 0, 0)); // 8: counts (BTF)
    insns.push(exit());
    let prog = object.section("socket", Kind::Code, code(&insns));
    let rodata = object.section(
        ".rodata.str1.1",
        Kind::ReadOnly,
        b"hello\0world\0\0\0\0\0".to_vec(),
    );
    let data = object.section(".data", Kind::Writable, vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let bss = object.bss(".bss", 12);
    let maps = object.section("maps", Kind::Writable, legacy_maps_bytes());
    let btf_maps = object.section(".maps", Kind::Writable, vec![0; 32]);
    let btf = maps_btf(&[("counts", 2, 4, 4, 24)]).build();
    let btf_len = btf.len();
    let btf_section = object.section(".BTF", Kind::Plain, btf);
    object.section("license", Kind::Plain, b"Dual BSD/GPL\0".to_vec());
    let rodata_symbol = object.section_symbol(rodata);
    let gvar = object.object("gvar", data, 4, 4);
    let bss_var = object.object("bss_var", bss, 8, 4);
    object.object("map_a", maps, 0, 28);
    let map_b = object.object("map_b", maps, 28, 28);
    let counts = object.object("counts", btf_maps, 0, 32);
    object.function("prog", prog, 0);
    object.relocation(prog, 0, rodata_symbol, R_BPF_64_64);
    object.relocation(prog, 16, gvar, R_BPF_64_64);
    object.relocation(prog, 32, bss_var, R_BPF_64_64);
    object.relocation(prog, 48, map_b, R_BPF_64_64);
    object.relocation(prog, 64, counts, R_BPF_64_64);
    // A .BTF relocation (clang's NODYLD32 for DATASEC entries): ignored.
    object.relocation(btf_section, (btf_len - 8) as u64, counts, R_BPF_64_NODYLD32);
    object.build()
}

#[test]
fn legacy_and_btf_maps_are_read() {
    let object = parse_object(&data_object()).unwrap();
    // Legacy first by symbol value (struct bpf_map_def: type, key, value, max, flags), then BTF.
    assert_eq!(
        object.maps,
        vec![
            MapDef {
                name: "map_a".into(),
                kind: MapKind::Hash,
                key_size: 4,
                value_size: 8,
                max_entries: 16,
                flags: 0
            },
            MapDef {
                name: "map_b".into(),
                kind: MapKind::Array,
                key_size: 4,
                value_size: 4,
                max_entries: 2,
                flags: 1
            },
            // __uint(type, 2), __uint(max_entries, 4), __type(key, 4 bytes), value u8[24].
            MapDef {
                name: "counts".into(),
                kind: MapKind::Array,
                key_size: 4,
                value_size: 24,
                max_entries: 4,
                flags: 0
            },
        ]
    );
    assert_eq!(object.license.as_deref(), Some("Dual BSD/GPL"));
}

#[test]
fn lddw_of_data_and_maps_becomes_a_guest_address() {
    let object = parse_object(&data_object()).unwrap();
    let names: Vec<_> = object.data.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, [".rodata.str1.1", ".data", ".bss"]);
    assert_eq!(object.data[2].bytes, vec![0; 12]);
    assert!(!object.data[0].writable && object.data[1].writable && object.data[2].writable);
    for (index, data) in object.data.iter().enumerate() {
        assert_eq!(Some(data.address), data_address(index));
    }
    let linked = object.link(Some("socket")).unwrap();
    // data_address(j) + st_value + the instruction's implicit addend (llvm_reloc.rst).
    assert_eq!(lddw_value(&linked.text, 0), data_address(0).unwrap() + 6);
    assert_eq!(lddw_value(&linked.text, 2), data_address(1).unwrap() + 4);
    assert_eq!(lddw_value(&linked.text, 4), data_address(2).unwrap() + 8);
    assert_eq!(lddw_value(&linked.text, 6), map_address(1).unwrap());
    assert_eq!(lddw_value(&linked.text, 8), map_address(2).unwrap());
    for index in [0, 2, 4, 6, 8] {
        assert_eq!(
            src_at(&linked.text, index),
            0,
            "lddw at {index} is a plain constant"
        );
    }
    let kinds: Vec<_> = linked
        .relocations
        .iter()
        .map(|r| (r.index, r.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (0, RelocationKind::Data { index: 0 }),
            (2, RelocationKind::Data { index: 1 }),
            (4, RelocationKind::Data { index: 2 }),
            (6, RelocationKind::Map { index: 1 }),
            (8, RelocationKind::Map { index: 2 }),
        ]
    );
    assert_eq!(linked.relocations[0].symbol, ".rodata.str1.1");
    assert_eq!(linked.relocations[4].symbol, "counts");
}

#[path = "ebpf_object/errors.rs"]
mod errors;

#[test]
fn relocations_inside_a_called_function_land_with_it() {
    let mut object = ObjectBuilder::new();
    let text = object.section(
        ".text",
        Kind::Code,
        code(&[
            exit(),                 // 0 unused
            insn(LDDW, 0, 0, 0, 0), // 1 f: lddw r0, gvar
            insn(0, 0, 0, 0, 0),    //
            exit(),                 // 3
        ]),
    );
    let tc = object.section("tc", Kind::Code, code(&[insn(CALL, 0, 1, 0, -1), exit()]));
    let data = object.section(".data", Kind::Writable, vec![0; 16]);
    object.function("unused", text, 0);
    let f = object.function("f", text, 8);
    object.function("classifier", tc, 0);
    let gvar = object.object("gvar", data, 8, 8);
    object.relocation(tc, 0, f, R_BPF_64_32);
    object.relocation(text, 8, gvar, R_BPF_64_64);
    let linked = parse_object(&object.build()).unwrap().link(None).unwrap();
    // tc at 0..2, f at 2..5: the call's imm is 2 − (0 + 1) (llvm_reloc.rst's layout rule).
    assert_eq!(linked.text.len(), 5 * 8);
    assert_eq!((imm_at(&linked.text, 0), src_at(&linked.text, 0)), (1, 1));
    assert_eq!(lddw_value(&linked.text, 2), data_address(0).unwrap() + 8);
    assert_eq!(
        linked.functions,
        vec![(0, "classifier".into()), (2, "f".into())]
    );
    let kinds: Vec<_> = linked
        .relocations
        .iter()
        .map(|r| (r.index, r.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (0, RelocationKind::Call),
            (2, RelocationKind::Data { index: 0 })
        ]
    );
}
