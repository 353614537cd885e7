//! `sbvm disasm --dialect ebpf`: assembly or a listing of bytecode, and for an object an
//! llvm-objdump-like listing of each program section as linked, with its relocations:
//!
//! ```text
//! Disassembly of section xdp:
//!
//! <weigh_packet>:
//!        0:  79 16 00 00 00 00 00 00                          ldxdw r6, [r1+0]
//!        …
//!        4:  85 10 00 00 0d 00 00 00                          call 13 <weighted_sum>
//!                 R_BPF_64_32     .text
//!        …
//! <weighted_sum>:
//!       18:  …
//! ```
//!
//! A program section is shown as the loader links it: the section itself from instruction 0,
//! then each function of `.text` it calls, at the index where it landed; the immediates are
//! the linked ones (a map's handle, a data address, a call's offset). Each function starts
//! with `<name>:`, other jump targets get the disassembler's labels (`<LBB0>:`), and under an
//! instruction a relocation patched comes a line `\t\tTYPE\tsymbol`, as llvm-objdump -dr
//! prints them. The instruction lines are the library's listing
//! ([`sbvm::isa::disasm::Line::listing_line`]).

use super::{not_loaded, object_failure, program_sections, read_source, Source};
use crate::load::ProgramArgs;
use crate::report::{out, printable};
use crate::Failure;
use sbvm::ebpf::object::LinkedProgram;
use sbvm::isa::disasm::{analyze, disassemble, listing, Symbols};
use sbvm::isa::SbpfVersion;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Runs `sbvm disasm --dialect ebpf`: bytecode as assembly (or a listing with `listing`), an
/// object as the listing of each program section (or of `--section`'s).
pub fn disasm(args: &ProgramArgs, as_listing: bool) -> Result<(), Failure> {
    let path = &args.program;
    let section = args.section.as_deref();
    let source =
        read_source(path, args.format.raw, section)?.map_err(|error| not_loaded(path, error))?;
    let output = match source {
        Source::Text { text, symbols } if as_listing => listing(&text, SbpfVersion::Ebpf, &symbols),
        Source::Text { text, symbols } => disassemble(&text, SbpfVersion::Ebpf, &symbols),
        Source::Object(object) => {
            let names = program_sections(&object, section).map_err(|e| not_loaded(path, e))?;
            let mut listings = Vec::with_capacity(names.len());
            for name in names {
                let linked = object
                    .link(Some(&name))
                    .map_err(|error| not_loaded(path, object_failure(error)))?;
                listings.push(object_listing(&linked));
            }
            listings.join("\n")
        }
    };
    out(output.trim_end_matches('\n'));
    Ok(())
}

/// The listing of one linked program section (see the module doc).
pub fn object_listing(linked: &LinkedProgram) -> String {
    let symbols = Symbols {
        functions: linked.functions.iter().cloned().collect(),
        ..Symbols::default()
    };
    let disassembly = analyze(&linked.text, SbpfVersion::Ebpf, &symbols);
    let function_starts: BTreeSet<usize> = symbols.functions.keys().copied().collect();
    let mut relocations: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for relocation in &linked.relocations {
        let line = format!(
            "\t\t{}\t{}",
            relocation.kind.elf_name(),
            printable(&relocation.symbol)
        );
        relocations.entry(relocation.index).or_default().push(line);
    }
    let mut text = format!("Disassembly of section {}:\n", printable(&linked.section));
    for line in &disassembly.lines {
        if let Some(label) = disassembly.labels.get(&line.pc) {
            if function_starts.contains(&line.pc) {
                text.push('\n');
            }
            let _ = writeln!(text, "<{label}>:");
        }
        let _ = writeln!(text, "{}", line.listing_line());
        for relocation in relocations.get(&line.pc).into_iter().flatten() {
            let _ = writeln!(text, "{relocation}");
        }
    }
    text
}
