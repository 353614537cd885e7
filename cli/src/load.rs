//! Loading a program for `run` and `bench`: ELF, raw bytecode or assembly, into an executable of
//! the standard environment — or the stage and error kind where that failed.

use crate::dialect::Dialect;
use crate::input::{elf_hint, format_of, read_at_most, read_bytes, Format};
use crate::Failure;
use sbvm::env::{
    check_heap_size, check_input_len, copied, run_driven, standard_runtime, zeroed, Driven,
    EnvContext, EnvError, MAX_INPUT_LEN,
};
use sbvm::isa::SbpfVersion;
use sbvm::jit::JitError;
use sbvm::load::{ElfLoadError, LoadError};
use sbvm::vm::{Config, EbpfError, Executable, FunctionRegistry, Vm};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A loaded program and the names of its functions.
pub struct Loaded {
    pub executable: Executable<EnvContext>,
    /// Function names by instruction index.
    pub functions: BTreeMap<usize, String>,
}

/// Where loading (or compiling) failed.
pub struct LoadFailure {
    /// `load`, `verify` or `compile`.
    pub stage: &'static str,
    /// The reference's variant name.
    pub kind: &'static str,
    /// What went wrong, in words.
    pub message: String,
}

fn from_load_error(error: LoadError) -> LoadFailure {
    let stage = if matches!(error, LoadError::Verifier(_)) {
        "verify"
    } else {
        "load"
    };
    LoadFailure {
        stage,
        kind: error.kind_name(),
        message: error.to_string(),
    }
}

/// A JIT compilation that failed: the `compile` stage, with the error kind a JIT run that could
/// not compile reports (`JitCompileFailed`).
pub fn compile_failure(error: JitError) -> LoadFailure {
    let error = EbpfError::JitCompileFailed { error };
    LoadFailure {
        stage: "compile",
        kind: error.kind_name(),
        message: error.to_string(),
    }
}

/// Reads and loads `path`. `Ok(Err(..))` is a load or verify failure (an outcome to report),
/// `Err(..)` a usage error.
pub fn load_program(
    path: &Path,
    raw: bool,
    version: Option<SbpfVersion>,
) -> Result<Result<Loaded, LoadFailure>, Failure> {
    let bytes = read_bytes(path)?;
    let format = format_of(path, &bytes, raw);
    let version = match (format, version) {
        (Format::Elf, version) => version,
        (_, Some(version)) => Some(version),
        (_, None) => {
            return Err(Failure::Usage(format!(
                "{}: --version is required for assembly and raw bytecode",
                path.display()
            )))
        }
    };
    let enabled = match version {
        Some(version) => version..=version,
        None => SbpfVersion::V0..=SbpfVersion::V4,
    };
    let runtime = Arc::new(standard_runtime(Config {
        enabled_sbpf_versions: enabled,
        ..Config::default()
    }));
    let version = version.unwrap_or(SbpfVersion::V0);
    let loaded = match format {
        Format::Elf => Executable::from_elf(&bytes, runtime).map_err(|error| match error {
            ElfLoadError::Elf(error) => LoadFailure {
                stage: "load",
                kind: error.kind_name(),
                message: format!("{error}{}", elf_hint(&error, &bytes)),
            },
            ElfLoadError::Load(error) => from_load_error(error),
        }),
        Format::Raw => {
            Executable::from_text_bytes(&bytes, version, runtime, FunctionRegistry::default())
                .map_err(from_load_error)
        }
        Format::Assembly => {
            let source = String::from_utf8_lossy(&bytes);
            Executable::from_assembly(&source, version, runtime).map_err(from_load_error)
        }
    };
    Ok(loaded.map(|executable| {
        let mut functions: BTreeMap<usize, String> = executable
            .functions()
            .iter()
            .map(|(_, name, pc)| (pc, name.to_string()))
            .collect();
        if format == Format::Elf {
            functions.extend(sbvm::elf::function_symbols(&bytes));
        }
        functions.retain(|_, name| !name.is_empty());
        Loaded {
            executable,
            functions,
        }
    }))
}

/// Which program to load: shared by `run`, `bench`, `disasm` and `verify` (`debug`, whose
/// program is optional and sBPF only, flattens [`FormatArgs`] beside its own).
#[derive(clap::Args)]
pub struct ProgramArgs {
    /// Program: an ELF file (or any non-text file), raw bytecode with --raw, or assembly; `-`
    /// reads standard input.
    pub program: std::path::PathBuf,
    #[command(flatten)]
    pub format: FormatArgs,
    /// Instruction set: sbpf (Solana's, the default) or ebpf (Linux's, RFC 9669; an ELF file is
    /// then a relocatable object from `clang -target bpf -c`). `--version ebpf` means ebpf too.
    #[arg(long, value_enum)]
    pub dialect: Option<Dialect>,
    /// eBPF object: the program section to use (default: the only one).
    #[arg(long)]
    pub section: Option<String>,
}

/// How to read the program file.
#[derive(clap::Args, Clone, Copy)]
pub struct FormatArgs {
    /// SBPF version (v0..v4): required for sBPF assembly and raw bytecode; pins it for ELF.
    #[arg(long, value_parser = crate::input::parse_version)]
    pub version: Option<SbpfVersion>,
    /// Read the file as raw bytecode (a bare text section, entry at instruction 0).
    #[arg(long)]
    pub raw: bool,
}

/// The compute units an sBPF run gets without `--limit`.
pub const SBPF_DEFAULT_LIMIT: u64 = 100_000_000;

/// The run's environment: budget, input and heap; shared by `run`, `bench` and `debug`.
#[derive(clap::Args)]
pub struct EnvironmentArgs {
    /// Instruction budget: compute units for sBPF (default 100000000); for eBPF, the most
    /// instructions a run may execute (default 4294967296).
    #[arg(long)]
    pub limit: Option<u64>,
    /// A file whose bytes are the input (mapped at 0x4_0000_0000).
    #[arg(long, conflicts_with = "input_len")]
    pub input: Option<std::path::PathBuf>,
    /// An input of this many zero bytes (at most 4 GiB, the input's slot).
    #[arg(long)]
    pub input_len: Option<u64>,
    /// Heap bytes (sBPF; at 0x3_0000_0000; at most 4 GiB, the heap's slot).
    #[arg(long, default_value_t = 32 * 1024)]
    pub heap: u64,
}

/// Where a run's input comes from: zeroes of a length (`--input-len`, none by default), or a
/// file's bytes (`--input`).
pub enum InputSource {
    /// This many zero bytes.
    Zeroes(usize),
    /// These bytes.
    Bytes(Vec<u8>),
}

impl InputSource {
    /// The input, consumed: the bytes themselves, no copy.
    pub fn into_bytes(self) -> Result<Vec<u8>, Failure> {
        match self {
            InputSource::Zeroes(len) => zeroed("input", len).map_err(input_failure),
            InputSource::Bytes(bytes) => Ok(bytes),
        }
    }

    /// A fresh input for one of many runs (`bench`): zeroes are allocated anew (lazily zeroed
    /// pages, no copy of anything), a file's bytes are copied; either way fallibly.
    pub fn fresh(&self) -> Result<Vec<u8>, Failure> {
        match self {
            InputSource::Zeroes(len) => zeroed("input", *len),
            InputSource::Bytes(bytes) => copied("input", bytes),
        }
        .map_err(input_failure)
    }
}

fn input_failure(error: EnvError) -> Failure {
    Failure::Usage(format!("cannot build the input: {error}"))
}

impl EnvironmentArgs {
    /// The input bytes from `--input` or `--input-len`, once the heap size and the input's
    /// length are known to fit the memory map (nothing is allocated before).
    pub fn input_bytes(&self) -> Result<Vec<u8>, Failure> {
        self.input_source()?.into_bytes()
    }

    /// Where the input comes from, once the heap size and the input's length are known to fit
    /// the memory map; a file is read, zeroes are not allocated yet.
    pub fn input_source(&self) -> Result<InputSource, Failure> {
        self.check_sizes()?;
        match (&self.input, self.input_len) {
            (Some(path), _) => read_input_file(path).map(InputSource::Bytes),
            (None, Some(len)) => usize::try_from(len)
                .map(InputSource::Zeroes)
                .map_err(|_| Failure::Usage(format!("--input-len {len}: too large"))),
            (None, None) => Ok(InputSource::Zeroes(0)),
        }
    }

    /// Checks `--heap` and the input's length (`--input-len`, or the `--input` file's size)
    /// against the memory map's limits.
    pub fn check_sizes(&self) -> Result<(), Failure> {
        check_heap_size(self.heap).map_err(|error| Failure::Usage(format!("--heap: {error}")))?;
        match (&self.input, self.input_len) {
            (Some(path), _) => {
                let len = std::fs::metadata(path)
                    .map_err(|error| {
                        Failure::Usage(format!("cannot read input {}: {error}", path.display()))
                    })?
                    .len();
                check_input_len(len)
                    .map_err(|error| Failure::Usage(format!("--input {}: {error}", path.display())))
            }
            (None, Some(len)) => check_input_len(len)
                .map_err(|error| Failure::Usage(format!("--input-len: {error}"))),
            (None, None) => Ok(()),
        }
    }

    /// `--limit` for an sBPF run: [`SBPF_DEFAULT_LIMIT`] unless given.
    pub fn sbpf_limit(&self) -> u64 {
        self.limit.unwrap_or(SBPF_DEFAULT_LIMIT)
    }

    /// `--heap` as a host size (checked by [`EnvironmentArgs::input_bytes`]).
    pub fn heap_size(&self) -> usize {
        usize::try_from(self.heap).unwrap_or(usize::MAX)
    }

    /// Runs `executable` once in the standard environment with `--limit`, `input` and `--heap`,
    /// `drive` running the VM ([`run_driven`]); a memory map that cannot be built is a usage
    /// error.
    pub fn run<T>(
        &self,
        executable: &Executable<EnvContext>,
        input: Vec<u8>,
        drive: impl FnOnce(&mut Vm<'_, EnvContext>) -> T,
    ) -> Result<Driven<T>, Failure> {
        run_driven(
            executable,
            self.sbpf_limit(),
            input,
            self.heap_size(),
            drive,
        )
        .map_err(|error| Failure::Usage(format!("cannot build the memory map: {error}")))
    }
}

/// Reads an input file, stopping one byte past the limit: a pipe or a device has no size to
/// check beforehand.
fn read_input_file(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    let cannot_read =
        |error| Failure::Usage(format!("cannot read input {}: {error}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let bytes = read_at_most(file, MAX_INPUT_LEN).map_err(cannot_read)?;
    check_input_len(u64::try_from(bytes.len()).unwrap_or(u64::MAX))
        .map_err(|error| Failure::Usage(format!("--input {}: {error}", path.display())))?;
    Ok(bytes)
}

impl ProgramArgs {
    /// The dialect asked for: `--dialect`, or ebpf for `--version ebpf`; a `--version` of the
    /// other dialect, or `--section` for sBPF, is a usage error.
    pub fn dialect(&self) -> Result<Dialect, Failure> {
        let dialect = crate::dialect::resolve_dialect(self.dialect, self.format.version)?;
        if dialect == Dialect::Sbpf && self.section.is_some() {
            return Err(Failure::Usage(
                "--section names a program of an eBPF object; add --dialect ebpf".into(),
            ));
        }
        Ok(dialect)
    }

    /// Loads the program, as [`load_program`].
    pub fn load(&self) -> Result<Result<Loaded, LoadFailure>, Failure> {
        load_program(&self.program, self.format.raw, self.format.version)
    }

    /// Loads the program for commands that only make sense with a loaded one (`bench`,
    /// `debug`): a load or verify failure is a one-line rejection.
    pub fn load_or_reject(&self) -> Result<Loaded, Failure> {
        self.load()?.map_err(|failure| Failure::NotLoaded {
            program: self.program.display().to_string(),
            failure,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jit_that_does_not_compile_fails_at_the_compile_stage() {
        let failure = compile_failure(JitError::UnsupportedPlatform);
        // Its own stage (not `load`), and the kind a JIT run that cannot compile reports
        // (EbpfError::JitCompileFailed's name).
        assert_eq!(failure.stage, "compile");
        assert_eq!(
            failure.kind,
            EbpfError::JitCompileFailed {
                error: JitError::UnsupportedPlatform
            }
            .kind_name()
        );
        assert!(failure
            .message
            .contains(&JitError::UnsupportedPlatform.to_string()));
    }
}
