//! The V3+ layout: read-only data at vaddr 0, text at 0x1_0000_0000, every address filled in.

use super::*;
use crate::elf::format::{PF_R, PF_X, PT_LOAD};
use crate::isa::asm::Site;
use crate::memory::MM_BYTECODE_START;

pub(super) fn write_strict(assembled: &Assembled) -> Result<Vec<u8>, WriteError> {
    let has_rodata = !assembled.rodata.is_empty();
    let phnum = if has_rodata { 2 } else { 1 };
    let rodata_off = EHDR + phnum * PHDR;
    let mut rodata = assembled.rodata.clone();
    rodata.resize(align8(rodata.len()), 0);
    let text_off = rodata_off + rodata.len();
    let mut text = assembled.text.clone();
    let addresses = Addresses {
        text: MM_BYTECODE_START,
        rodata: 0,
    };
    for reference in &assembled.references {
        let address = addresses.of(assembled, &reference.label)?;
        match reference.site {
            Site::Lddw(pc) => {
                patch(&mut text, pc * 8 + 4, &(address as u32).to_le_bytes());
                patch(
                    &mut text,
                    pc * 8 + 12,
                    &((address >> 32) as u32).to_le_bytes(),
                );
            }
            Site::Rodata(offset) => patch(&mut rodata, offset, &address.to_le_bytes()),
        }
    }
    // Section headers for the disassembler's labels (the strict loader ignores them).
    let (tail, names) = Tail::new(
        &function_names(assembled),
        MM_BYTECODE_START,
        2,
        [".rodata", ".text"],
        text_off + text.len(),
    );
    // Sections in file order: the read-only data comes before the text.
    let mut sections = vec![
        Section::default(),
        progbits(names[0], ALLOC_FLAGS, 0, rodata_off, rodata.len()),
        progbits(
            names[1],
            TEXT_FLAGS,
            MM_BYTECODE_START,
            text_off,
            text.len(),
        ),
    ];
    sections.extend(tail.headers(sections.len() as u32));
    let mut out = Vec::with_capacity(tail.shoff + sections.len() * SHDR);
    let entry = MM_BYTECODE_START + 8 * assembled.entry_pc as u64;
    tail.file_header(&mut out, assembled, entry, phnum, &sections)?;
    if has_rodata {
        program_header(
            &mut out,
            &Segment {
                kind: PT_LOAD,
                flags: PF_R,
                offset: rodata_off as u64,
                vaddr: 0,
                size: rodata.len() as u64,
            },
        )?;
    }
    program_header(
        &mut out,
        &Segment {
            kind: PT_LOAD,
            flags: PF_X,
            offset: text_off as u64,
            vaddr: MM_BYTECODE_START,
            size: text.len() as u64,
        },
    )?;
    out.extend_from_slice(&rodata);
    out.extend_from_slice(&text);
    tail.write(&mut out, &sections)?;
    Ok(out)
}
