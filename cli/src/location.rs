//! Where a fault happened, in the words of `sbvm disasm`: the instruction, and the function it
//! lies in under the name the disassembler gives that function's label.
//!
//! A function starts at the entry point (always `entrypoint`, the name the loader registers it
//! under), at every registered function, at every named function symbol of an ELF file, and at
//! every target of an internal call — from V3 on, calls are pc-relative and need no registry
//! entry, so a helper reached only by `call helper` is a function too. The fault lies in the
//! nearest function start at or before it.

use crate::load::Loaded;
use sbvm::isa::disasm::{analyze, instruction_text, Symbols};
use sbvm::isa::table::{lookup, Kind};
use sbvm::isa::SbpfVersion;
use sbvm::vm::Executable;
use std::collections::BTreeSet;

/// What the disassembler needs to spell `executable`'s calls: its function registry's keys
/// (before V3 a call names its callee by key).
pub fn registry_symbols<C>(executable: &Executable<C>) -> Symbols {
    Symbols {
        function_keys: executable
            .functions()
            .iter()
            .map(|(key, _, pc)| (key, pc))
            .collect(),
        ..Symbols::default()
    }
}

/// The known function names of `loaded` as the disassembler takes them: the loader's and the
/// file's names, with `entrypoint` at the entry point.
fn symbols(loaded: &Loaded) -> Symbols {
    let executable = &loaded.executable;
    let mut functions = loaded.functions.clone();
    functions.retain(|_, name| name != "entrypoint");
    functions.insert(executable.entry_pc(), "entrypoint".to_string());
    Symbols {
        functions,
        ..registry_symbols(executable)
    }
}

/// The function `pc` lies in, named as `sbvm disasm` names it.
pub fn function_at(loaded: &Loaded, pc: usize) -> Option<String> {
    let executable = &loaded.executable;
    function_in(
        executable.text(),
        executable.version(),
        &symbols(loaded),
        pc,
    )
}

/// The function instruction `pc` of `text` lies in, given the program's known `symbols`,
/// named as `sbvm disasm` names it.
pub fn function_in(
    text: &[u8],
    version: SbpfVersion,
    symbols: &Symbols,
    pc: usize,
) -> Option<String> {
    let disassembly = analyze(text, version, symbols);
    // From V3 on a call with a source field is internal and pc-relative (`pc + 1 + imm`); before,
    // internal calls go through the registry, whose functions are already starts.
    let call_targets = disassembly.lines.iter().filter_map(|line| {
        let insn = line.slots.first()?;
        let internal = version.static_syscalls() && insn.src != 0;
        let is_call = lookup(version, insn)?.kind == Kind::Call;
        let target = i64::try_from(line.pc).ok()? + 1 + i64::from(insn.imm);
        (is_call && internal).then(|| usize::try_from(target).ok())?
    });
    let starts: BTreeSet<usize> = symbols
        .functions
        .keys()
        .copied()
        .chain(symbols.function_keys.values().copied())
        .chain(call_targets)
        .collect();
    let start = *starts.range(..=pc).next_back()?;
    disassembly
        .labels
        .get(&start)
        .or_else(|| symbols.functions.get(&start))
        .cloned()
}

/// The instruction at `pc` and the function it lies in.
pub fn fault_location(loaded: &Loaded, pc: usize) -> (Option<String>, Option<String>) {
    let executable = &loaded.executable;
    let instruction = instruction_text(executable.text(), pc, executable.version());
    (instruction, function_at(loaded, pc))
}
