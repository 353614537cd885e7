//! `--coverage` of a program with DWARF: its lcov names the C source and its lines.
//!
//! No sBPF program with DWARF is at hand (the Solana programs of the fixtures are stripped, and
//! no linker here makes BPF shared objects: upstream lld has no BPF target), so this test makes
//! one: clang-19 compiles a C function for BPF with `-g` (an eBPF object, DWARF included), its
//! `.text` becomes an sBPF V0 ELF file through the library's assembler and ELF writer, and the
//! object's `.debug_*` sections are appended to that file, relocated to where its `.text` sits
//! (what a linker does for the `R_BPF_64_ABS64` relocations against `.text`). The DWARF is
//! clang's own; only its addresses are moved. Without clang-19 or genhtml the test says `SKIP:`.

mod common;

use common::{sbvm, scratch, scratch_arg, skip, stderr, stdout};
use sbvm::elf::write_elf;
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::{disassemble, Symbols};
use sbvm::isa::SbpfVersion;
use std::path::Path;
use std::process::Command;

/// The C function: the sum of the input's first 4 bytes.
const SOURCE: &str = "unsigned long entrypoint(const unsigned char *input)
{
    unsigned long sum = 0;
    for (int i = 0; i < 4; i++)
        sum += input[i];
    return sum;
}
";

/// The line of `sum += input[i];`.
const BODY_LINE: u64 = 5;

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap())
}
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// An ELF64 little-endian file's sections: (name, type, addr, offset, size, info).
fn sections(elf: &[u8]) -> Vec<(String, u32, u64, usize, usize, u32)> {
    let (shoff, shnum, shstrndx) = (
        u64_at(elf, 0x28) as usize,
        u16_at(elf, 0x3c) as usize,
        u16_at(elf, 0x3e) as usize,
    );
    let header = |index: usize| shoff + 64 * index;
    let strtab = u64_at(elf, header(shstrndx) + 0x18) as usize;
    (0..shnum)
        .map(|index| {
            let at = header(index);
            let name_at = strtab + u32_at(elf, at) as usize;
            let end = elf[name_at..].iter().position(|b| *b == 0).unwrap();
            let name = String::from_utf8_lossy(&elf[name_at..name_at + end]).into_owned();
            (
                name,
                u32_at(elf, at + 4),
                u64_at(elf, at + 0x10),
                u64_at(elf, at + 0x18) as usize,
                u64_at(elf, at + 0x20) as usize,
                u32_at(elf, at + 0x2c),
            )
        })
        .collect()
}

fn section<'a>(elf: &'a [u8], name: &str) -> &'a [u8] {
    let found = sections(elf).into_iter().find(|s| s.0 == name).unwrap();
    &elf[found.3..found.3 + found.4]
}

/// `name`'s bytes from `object`, its relocations against `.text` applied for `.text` at
/// `text_addr` (`R_BPF_64_ABS64`; the others, against debug sections at offset 0, add 0).
fn relocated(object: &[u8], name: &str, text_addr: u64) -> Vec<u8> {
    let all = sections(object);
    let mut data = section(object, name).to_vec();
    let text_index = all.iter().position(|s| s.0 == ".text").unwrap() as u16;
    let symtab = section(object, ".symtab");
    if let Some(rel) = all.iter().find(|s| s.0 == format!(".rel{name}")) {
        for entry in object[rel.3..rel.3 + rel.4].chunks_exact(16) {
            let (offset, info) = (u64_at(entry, 0) as usize, u64_at(entry, 8));
            let symbol = &symtab[24 * (info >> 32) as usize..][..24];
            if u16_at(symbol, 6) == text_index && info & 0xffff_ffff == 2 {
                let value = u64_at(&data, offset) + text_addr + u64_at(symbol, 8);
                data[offset..offset + 8].copy_from_slice(&value.to_le_bytes());
            }
        }
    }
    data
}

/// `elf` with `added` sections (name, bytes) appended before its `.shstrtab`, which must be its
/// last section and moves to the end (the loader wants sections in file order).
fn with_sections(elf: &[u8], added: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let (shoff, shnum, shstrndx) = (
        u64_at(elf, 0x28) as usize,
        u16_at(elf, 0x3c) as usize,
        u16_at(elf, 0x3e) as usize,
    );
    assert_eq!(shstrndx, shnum - 1, "the writer puts .shstrtab last");
    let mut headers = elf[shoff..shoff + 64 * shstrndx].to_vec();
    let mut strtab_header = elf[shoff + 64 * shstrndx..shoff + 64 * shnum].to_vec();
    let mut names = section(elf, ".shstrtab").to_vec();
    let mut out = elf.to_vec();
    for (name, bytes) in added {
        let name_offset = names.len() as u32;
        names.extend_from_slice(name.as_bytes());
        names.push(0);
        let offset = out.len() as u64;
        out.extend_from_slice(bytes);
        let mut header = [0u8; 64];
        header[0..4].copy_from_slice(&name_offset.to_le_bytes());
        header[4..8].copy_from_slice(&1u32.to_le_bytes()); // SHT_PROGBITS
        header[0x18..0x20].copy_from_slice(&offset.to_le_bytes());
        header[0x20..0x28].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
        header[0x30..0x38].copy_from_slice(&1u64.to_le_bytes()); // alignment
        headers.extend_from_slice(&header);
    }
    let names_offset = out.len() as u64;
    out.extend_from_slice(&names);
    strtab_header[0x18..0x20].copy_from_slice(&names_offset.to_le_bytes());
    strtab_header[0x20..0x28].copy_from_slice(&(names.len() as u64).to_le_bytes());
    headers.extend_from_slice(&strtab_header);
    while out.len() % 8 != 0 {
        out.push(0);
    }
    let new_shoff = out.len() as u64;
    out.extend_from_slice(&headers);
    let new_shnum = (shnum + added.len()) as u16;
    out[0x28..0x30].copy_from_slice(&new_shoff.to_le_bytes());
    out[0x3c..0x3e].copy_from_slice(&new_shnum.to_le_bytes());
    out[0x3e..0x40].copy_from_slice(&(new_shnum - 1).to_le_bytes());
    out
}

/// Compiles `SOURCE` (at `source`) with clang-19, or says why not.
fn compile(source: &Path, object: &Path) -> Option<Vec<u8>> {
    let output = Command::new("clang-19")
        .args(["-target", "bpf", "-O1", "-g", "-gdwarf-4", "-mcpu=v1", "-c"])
        .arg(source)
        .arg("-o")
        .arg(object)
        .output();
    match output {
        Ok(output) => {
            assert!(output.status.success(), "clang-19: {}", stderr(&output));
            Some(std::fs::read(object).unwrap())
        }
        Err(error) => {
            skip(format!(
                "clang-19 not runnable ({error}); no DWARF program made"
            ));
            None
        }
    }
}

#[test]
fn coverage_of_a_program_with_dwarf_names_its_c_source_lines() {
    let source = scratch("dwarf-sum.c", SOURCE);
    let Some(object) = compile(&source, &source.with_extension("o")) else {
        return;
    };
    // The object's text as an sBPF V0 shared object, entry at its first instruction.
    let text = section(&object, ".text");
    let assembly = format!(
        "entrypoint:\n{}",
        disassemble(text, SbpfVersion::V0, &Symbols::default())
    );
    let elf = write_elf(&assemble(&assembly, SbpfVersion::V0).unwrap()).unwrap();
    let text_addr = sections(&elf)
        .into_iter()
        .find(|s| s.0 == ".text")
        .unwrap()
        .2;
    let debug: Vec<(&str, Vec<u8>)> = [".debug_abbrev", ".debug_info", ".debug_str", ".debug_line"]
        .into_iter()
        .map(|name| (name, relocated(&object, name, text_addr)))
        .collect();
    let program = scratch("dwarf-sum.so", with_sections(&elf, &debug));
    let input = scratch_arg("dwarf-sum.input", [1u8, 2, 3, 4]);
    let tracefile = scratch("dwarf-sum.lcov", "");
    let output = sbvm(&[
        "run",
        program.to_str().unwrap(),
        "--input",
        &input,
        "--json",
        "--coverage",
        tracefile.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    // 1 + 2 + 3 + 4, what the C function computes.
    assert!(
        stdout(&output).contains("\"result\":10"),
        "{}",
        stdout(&output)
    );
    let lcov = std::fs::read_to_string(&tracefile).unwrap();
    assert!(
        lcov.contains(&format!("SF:{}\n", source.display())),
        "{lcov}"
    );
    // From the source: the loop body runs once per byte, 4 times.
    assert!(lcov.contains(&format!("DA:{BODY_LINE},4\n")), "{lcov}");
    // No listing stands in for the source.
    assert!(!Path::new(&format!("{}.s", tracefile.display())).exists());
    let html = tracefile.with_extension("html");
    match Command::new("genhtml")
        .arg("--quiet")
        .arg("-o")
        .arg(&html)
        .arg(&tracefile)
        .output()
    {
        Ok(output) => assert!(output.status.success(), "genhtml: {}", stderr(&output)),
        Err(error) => skip(format!(
            "genhtml not runnable ({error}; apt-get install lcov)"
        )),
    }
}
