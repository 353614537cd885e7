//! Reading a program from a file: an ELF shared object, assembly text, or raw bytecode (a bare
//! text section).

use crate::Failure;
use sbvm::elf::{is_elf, load_text};
use sbvm::isa::asm::assemble;
use sbvm::isa::disasm::Symbols;
use sbvm::isa::SbpfVersion;
use std::path::Path;

/// A text section and the names that go with it.
pub struct Program {
    /// The version: the file's own for ELF, else the one given.
    pub version: SbpfVersion,
    /// The text section.
    pub text: Vec<u8>,
    /// Function names, for the disassembler.
    pub symbols: Symbols,
}

/// What kind of file a program is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An ELF shared object (by its magic, or named `*.so`/`*.o`).
    Elf,
    /// A bare text section.
    Raw,
    /// Assembly text.
    Assembly,
}

/// Decides the format: `--raw` means raw bytecode; otherwise ELF magic, an ELF-ish name
/// (`*.so`, `*.o`) or bytes that are not UTF-8 text mean ELF (so a damaged ELF gets a loader
/// error, not an assembler error); the rest is assembly.
pub fn format_of(path: &Path, bytes: &[u8], raw: bool) -> Format {
    let extension = path
        .extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or_default();
    if raw {
        Format::Raw
    } else if is_elf(bytes)
        || matches!(extension, "so" | "o")
        || std::str::from_utf8(bytes).is_err()
    {
        Format::Elf
    } else {
        Format::Assembly
    }
}

/// Reads `path` as a program; `version` is required for assembly and raw bytecode.
pub fn read_program(
    path: &Path,
    raw: bool,
    version: Option<SbpfVersion>,
) -> Result<Program, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|error| Failure::Usage(format!("cannot read {}: {error}", path.display())))?;
    let need_version = || {
        version.ok_or_else(|| {
            Failure::Usage(format!(
                "{}: --version is required for assembly and raw bytecode",
                path.display()
            ))
        })
    };
    match format_of(path, &bytes, raw) {
        Format::Elf => {
            let loaded = load_text(&bytes).map_err(|error| {
                Failure::Rejected(format!(
                    "{}: {}: {error}",
                    path.display(),
                    error.kind_name()
                ))
            })?;
            if let Some(version) = version.filter(|version| *version != loaded.version) {
                return Err(Failure::Rejected(format!(
                    "{}: the file is {} but --version says {version}",
                    path.display(),
                    loaded.version
                )));
            }
            Ok(Program {
                version: loaded.version,
                symbols: loaded.symbols(),
                text: loaded.text,
            })
        }
        Format::Raw => Ok(Program {
            version: need_version()?,
            text: bytes,
            symbols: Symbols::default(),
        }),
        Format::Assembly => {
            let version = need_version()?;
            let source = String::from_utf8_lossy(&bytes);
            let assembled = assemble(&source, version)
                .map_err(|error| Failure::Usage(format!("{}: {error}", path.display())))?;
            Ok(Program {
                version,
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
