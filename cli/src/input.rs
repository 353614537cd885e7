//! Reading a program from a file (or `-`, standard input): an ELF shared object, assembly text,
//! or raw bytecode (a bare text section).

use crate::Failure;
use sbvm::elf::{is_elf, load_text, ElfError};
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

/// The path that names standard input.
pub const STDIN: &str = "-";

/// Most bytes a program file (or assembly source, or standard input) may hold: 64 MiB.
///
/// The read-only slot of the memory map would take 4 GiB, but no real program comes near it: a
/// deployed Solana program lives in one account, and account data is at most 10 MiB
/// (Agave's `MAX_PERMITTED_DATA_LENGTH`). Assembly source takes a few bytes per byte of code it
/// makes (`mov64 r0, 42` is 12 characters for 8 bytes), so 64 MiB leaves room for the source of
/// the largest deployable program, and reading that much takes a fraction of a second — where
/// `sbvm run - < /dev/zero` would otherwise read until memory runs out.
pub const MAX_PROGRAM_FILE_LEN: u64 = 64 * 1024 * 1024;

/// Reads a program (or assembly source) from `path`, or from standard input for `-`: at most
/// [`MAX_PROGRAM_FILE_LEN`] bytes, one more is a usage error naming the limit (a pipe or a
/// device has no size to check beforehand, so the read stops one byte past it).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = if path.as_os_str() == STDIN {
        read_at_most(std::io::stdin().lock(), MAX_PROGRAM_FILE_LEN)
            .map_err(|error| Failure::Usage(format!("cannot read standard input: {error}")))?
    } else {
        let cannot_read =
            |error| Failure::Usage(format!("cannot read {}: {error}", path.display()));
        read_at_most(
            std::fs::File::open(path).map_err(cannot_read)?,
            MAX_PROGRAM_FILE_LEN,
        )
        .map_err(cannot_read)?
    };
    if u64::try_from(bytes.len()).map_or(true, |len| len > MAX_PROGRAM_FILE_LEN) {
        let name = if path.as_os_str() == STDIN {
            "standard input".to_string()
        } else {
            path.display().to_string()
        };
        return Err(Failure::Usage(format!(
            "{name}: a program file holds at most {MAX_PROGRAM_FILE_LEN} bytes (64 MiB); \
             this one is longer"
        )));
    }
    Ok(bytes)
}

/// Reads `reader` to its end or to one byte past `limit`, whichever comes first: a file, pipe
/// or device may be endless (`/dev/zero`), so the caller tells too long by the length.
pub fn read_at_most(reader: impl std::io::Read, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// What to add to a loader error about `bytes`: for bytes that are not an ELF file at all, how
/// to say what they are instead; for a relocatable eBPF object (clang's), which dialect reads it.
pub fn elf_hint(error: &ElfError, bytes: &[u8]) -> &'static str {
    match error {
        ElfError::NotAnElfFile { .. } => "; use --raw for bytecode or name assembly *.s/*.asm",
        _ if sbvm::ebpf::object::parse_object(bytes).is_ok() => {
            "; this is a relocatable eBPF object: add --dialect ebpf"
        }
        _ => "",
    }
}

/// Decides the format: `--raw` means raw bytecode; otherwise ELF magic means ELF, an assembly
/// name (`*.s`, `*.asm`) assembly, and an ELF-ish name (`*.so`, `*.o`) or bytes that are not
/// UTF-8 text ELF (so a damaged ELF gets a loader error, not an assembler error); the rest is
/// assembly. Standard input has no name: its content decides.
pub fn format_of(path: &Path, bytes: &[u8], raw: bool) -> Format {
    let extension = path
        .extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or_default();
    if raw {
        Format::Raw
    } else if is_elf(bytes) {
        Format::Elf
    } else if matches!(extension, "s" | "asm") {
        Format::Assembly
    } else if matches!(extension, "so" | "o") || std::str::from_utf8(bytes).is_err() {
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
    program_from_bytes(path, &read_bytes(path)?, raw, version)
}

/// [`read_program`] for the bytes already read from `path`.
pub fn program_from_bytes(
    path: &Path,
    bytes: &[u8],
    raw: bool,
    version: Option<SbpfVersion>,
) -> Result<Program, Failure> {
    let need_version = || {
        version.ok_or_else(|| {
            Failure::Usage(format!(
                "{}: --version is required for assembly and raw bytecode",
                path.display()
            ))
        })
    };
    match format_of(path, bytes, raw) {
        Format::Elf => {
            let loaded = load_text(bytes).map_err(|error| {
                Failure::Rejected(format!(
                    "{}: {}: {error}{}",
                    path.display(),
                    error.kind_name(),
                    elf_hint(&error, bytes)
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
            text: bytes.to_vec(),
            symbols: Symbols::default(),
        }),
        Format::Assembly => {
            let version = need_version()?;
            let source = String::from_utf8_lossy(bytes);
            let assembled =
                assemble(&source, version).map_err(|error| assembly_failure(path, error))?;
            Ok(Program {
                version,
                symbols: Symbols::from_assembled(&assembled),
                text: assembled.text,
            })
        }
    }
}

/// A program that does not assemble is rejected (exit 3), as one that does not load: the same
/// input gets the same status under every subcommand.
pub fn assembly_failure(path: &Path, error: impl std::fmt::Display) -> Failure {
    Failure::Rejected(format!("{}: AssemblerError: {error}", path.display()))
}

/// Parses `v0`..`v4` for clap.
pub fn parse_version(text: &str) -> Result<SbpfVersion, String> {
    text.parse::<SbpfVersion>()
        .map_err(|error| error.to_string())
}
