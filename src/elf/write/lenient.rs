//! The V0–V2 layout: sections at file offsets equal to their addresses, dynamic symbols and
//! relocations for calls and addresses.

use super::*;
use crate::elf::format::{
    DT_FLAGS, DT_NULL, DT_REL, DT_RELENT, DT_RELSZ, DT_STRSZ, DT_STRTAB, DT_SYMENT, DT_SYMTAB,
    DYN_SIZE, PF_R, PF_X, PT_DYNAMIC, PT_LOAD, REL_SIZE, R_BPF_64_32, R_BPF_64_64,
    R_BPF_64_RELATIVE, SHT_DYNAMIC, SHT_DYNSYM, SHT_REL, STT_OBJECT,
};
use crate::isa::asm::Site;
use crate::isa::syscall_names::known_syscall_name;

pub(super) fn write_lenient(assembled: &Assembled) -> Result<Vec<u8>, WriteError> {
    const PHNUM: usize = 3;
    let text_off = EHDR + PHNUM * PHDR;
    let mut text = assembled.text.clone();
    let rodata_off = text_off + text.len();
    let mut rodata = assembled.rodata.clone();
    rodata.resize(align8(rodata.len()), 0);
    let addresses = Addresses {
        text: text_off as u64,
        rodata: rodata_off as u64,
    };
    let function_names = function_names(assembled);

    // Dynamic symbols and relocations.
    let mut dynstr = Strings::new();
    let mut dynsym: Vec<Symbol> = vec![Symbol {
        name: 0,
        info: 0,
        section: 0,
        value: 0,
    }];
    let mut symbol_index: BTreeMap<(String, u64), u32> = BTreeMap::new();
    let mut intern = |dynstr: &mut Strings,
                      dynsym: &mut Vec<Symbol>,
                      name: &str,
                      info: u8,
                      section: u16,
                      value: u64| {
        *symbol_index
            .entry((name.to_string(), value))
            .or_insert_with(|| {
                dynsym.push(Symbol {
                    name: dynstr.add(name),
                    info,
                    section,
                    value,
                });
                (dynsym.len() - 1) as u32
            })
    };
    let mut relocations: Vec<(u64, u32, u32)> = Vec::new();
    for call in &assembled.calls {
        let at = text_off + call.pc * 8;
        let index = match &call.target {
            CallTarget::Syscall { name, hash } => {
                let name = name
                    .clone()
                    .or_else(|| known_syscall_name(*hash).map(str::to_string))
                    .ok_or(WriteError::UnnamedSyscall {
                        hash: *hash,
                        pc: call.pc,
                    })?;
                intern(&mut dynstr, &mut dynsym, &name, global(STT_FUNC), 0, 0)
            }
            CallTarget::Function(pc) => {
                let name = function_names
                    .get(pc)
                    .cloned()
                    .unwrap_or_else(|| format!("function_{pc}"));
                intern(
                    &mut dynstr,
                    &mut dynsym,
                    &name,
                    global(STT_FUNC),
                    1,
                    addresses.text + 8 * *pc as u64,
                )
            }
            // The loader derives the key from the symbol's name, so link against the label.
            CallTarget::Keyed { pc, name } => intern(
                &mut dynstr,
                &mut dynsym,
                name,
                global(STT_FUNC),
                1,
                addresses.text + 8 * *pc as u64,
            ),
        };
        patch(&mut text, at - text_off + 4, &(-1i32).to_le_bytes());
        relocations.push((at as u64, R_BPF_64_32, index));
    }
    for reference in &assembled.references {
        let address = addresses.of(assembled, &reference.label)?;
        match reference.site {
            Site::Lddw(pc) if assembled.data_labels.contains_key(&reference.label) => {
                let index = intern(
                    &mut dynstr,
                    &mut dynsym,
                    &reference.label,
                    global(STT_OBJECT),
                    2,
                    address,
                );
                relocations.push(((text_off + pc * 8) as u64, R_BPF_64_64, index));
            }
            Site::Lddw(pc) => {
                patch(&mut text, pc * 8 + 4, &(address as u32).to_le_bytes());
                patch(
                    &mut text,
                    pc * 8 + 12,
                    &((address >> 32) as u32).to_le_bytes(),
                );
                relocations.push(((text_off + pc * 8) as u64, R_BPF_64_RELATIVE, 0));
            }
            Site::Rodata(offset) => {
                patch(&mut rodata, offset, &0u32.to_le_bytes());
                patch(&mut rodata, offset + 4, &(address as u32).to_le_bytes());
                relocations.push(((rodata_off + offset) as u64, R_BPF_64_RELATIVE, 0));
            }
        }
    }

    let dynamic_off = rodata_off + rodata.len();
    let dynamic_entries = if relocations.is_empty() { 6 } else { 9 };
    let dynsym_off = dynamic_off + dynamic_entries * DYN_SIZE;
    let dynstr_off = dynsym_off + dynsym.len() * SYM;
    let rel_off = align8(dynstr_off + dynstr.bytes.len());
    let symtab_off = rel_off + relocations.len() * REL_SIZE;

    // Debug symbols and section names.
    let (tail, names) = Tail::new(
        &function_names,
        addresses.text,
        1,
        [
            ".text", ".rodata", ".dynamic", ".dynsym", ".dynstr", ".rel.dyn",
        ],
        symtab_off,
    );
    let mut sections = vec![
        Section::default(),
        progbits(names[0], TEXT_FLAGS, text_off as u64, text_off, text.len()),
        progbits(
            names[1],
            ALLOC_FLAGS,
            rodata_off as u64,
            rodata_off,
            rodata.len(),
        ),
        Section {
            name: names[2],
            kind: SHT_DYNAMIC,
            flags: ALLOC_FLAGS,
            addr: dynamic_off as u64,
            offset: dynamic_off as u64,
            size: (dynamic_entries * DYN_SIZE) as u64,
            link: 5,
            entsize: DYN_SIZE as u64,
            ..Default::default()
        },
        Section {
            name: names[3],
            kind: SHT_DYNSYM,
            flags: ALLOC_FLAGS,
            addr: dynsym_off as u64,
            offset: dynsym_off as u64,
            size: (dynsym.len() * SYM) as u64,
            link: 5,
            info: 1,
            entsize: SYM as u64,
        },
        Section {
            name: names[4],
            kind: SHT_STRTAB,
            flags: ALLOC_FLAGS,
            addr: dynstr_off as u64,
            offset: dynstr_off as u64,
            size: dynstr.bytes.len() as u64,
            ..Default::default()
        },
        Section {
            name: names[5],
            kind: SHT_REL,
            flags: ALLOC_FLAGS,
            addr: rel_off as u64,
            offset: rel_off as u64,
            size: (relocations.len() * REL_SIZE) as u64,
            link: 4,
            entsize: REL_SIZE as u64,
            ..Default::default()
        },
    ];
    sections.extend(tail.headers(sections.len() as u32));

    let mut out = Vec::with_capacity(tail.shoff + sections.len() * SHDR);
    let entry = (text_off + 8 * assembled.entry_pc) as u64;
    tail.file_header(&mut out, assembled, entry, PHNUM, &sections)?;
    let code_size = (rodata_off + rodata.len() - text_off) as u64;
    let data_size = (symtab_off - dynamic_off) as u64;
    program_header(
        &mut out,
        &Segment {
            kind: PT_LOAD,
            flags: PF_R | PF_X,
            offset: text_off as u64,
            vaddr: text_off as u64,
            size: code_size,
        },
    )?;
    program_header(
        &mut out,
        &Segment {
            kind: PT_LOAD,
            flags: PF_R,
            offset: dynamic_off as u64,
            vaddr: dynamic_off as u64,
            size: data_size,
        },
    )?;
    program_header(
        &mut out,
        &Segment {
            kind: PT_DYNAMIC,
            flags: PF_R,
            offset: dynamic_off as u64,
            vaddr: dynamic_off as u64,
            size: (dynamic_entries * DYN_SIZE) as u64,
        },
    )?;
    out.extend_from_slice(&text);
    out.extend_from_slice(&rodata);
    let mut dynamic = vec![
        (DT_SYMTAB, dynsym_off as u64),
        (DT_STRTAB, dynstr_off as u64),
        (DT_STRSZ, dynstr.bytes.len() as u64),
        (DT_SYMENT, SYM as u64),
    ];
    if !relocations.is_empty() {
        dynamic.extend([
            (DT_REL, rel_off as u64),
            (DT_RELSZ, (relocations.len() * REL_SIZE) as u64),
            (DT_RELENT, REL_SIZE as u64),
        ]);
    }
    dynamic.extend([(DT_FLAGS, 0), (DT_NULL, 0)]);
    for (tag, value) in dynamic {
        dynamic_entry(&mut out, tag, value)?;
    }
    for entry in &dynsym {
        symbol(&mut out, entry)?;
    }
    out.extend_from_slice(&dynstr.bytes);
    out.resize(rel_off, 0);
    for (offset, kind, index) in &relocations {
        relocation(&mut out, *offset, *kind, *index)?;
    }
    tail.write(&mut out, &sections)?;
    Ok(out)
}
