//! Reading a program from a file: assembly text, or raw bytecode (a bare text section).

use crate::Failure;
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::Symbols;
use sbvm::isa::SbpfVersion;
use std::path::Path;

/// A text section and the names that go with it.
pub struct Program {
    /// The text section.
    pub text: Vec<u8>,
    /// Function names, for the disassembler.
    pub symbols: Symbols,
}

/// Reads `path`: raw bytecode with `raw` (or when the file is not UTF-8 text or ends in
/// `.bin`), otherwise assembly, assembled for `version`.
pub fn read_program(path: &Path, raw: bool, version: SbpfVersion) -> Result<Program, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|error| Failure::Usage(format!("cannot read {}: {error}", path.display())))?;
    let is_bin = path.extension().is_some_and(|ext| ext == "bin");
    let source = if raw || is_bin {
        None
    } else {
        std::str::from_utf8(&bytes).ok()
    };
    match source {
        None => Ok(Program {
            text: bytes,
            symbols: Symbols::default(),
        }),
        Some(source) => {
            let assembled = assemble(source, version)
                .map_err(|error| Failure::Usage(format!("{}: {error}", path.display())))?;
            Ok(Program {
                symbols: Symbols::from_assembled(&assembled),
                text: assembled.text,
            })
        }
    }
}

/// Parses `v0`..`v4` for clap.
pub fn parse_version(text: &str) -> Result<SbpfVersion, String> {
    text.parse::<SbpfVersion>()
        .map_err(|error| error.to_string())
}
