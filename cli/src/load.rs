//! Loading a program for `run` and `bench`: ELF, raw bytecode or assembly, into an executable of
//! the standard environment — or the stage and error kind where that failed.

use crate::input::{format_of, Format};
use crate::Failure;
use sbvm::elf::ElfLoadError;
use sbvm::env::{standard_runtime, EnvContext};
use sbvm::isa::SbpfVersion;
use sbvm::vm::{Config, Executable, FunctionRegistry, LoadError};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A loaded program and the names of its functions.
pub struct Loaded {
    pub executable: Executable<EnvContext>,
    /// Function names by instruction index.
    pub functions: BTreeMap<usize, String>,
}

/// Where loading failed.
pub struct LoadFailure {
    /// `load` or `verify`.
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

/// Reads and loads `path`. `Err(Ok(..))` is a load or verify failure (an outcome), `Err(Err(..))`
/// a usage error.
pub fn load_program(
    path: &Path,
    raw: bool,
    version: Option<SbpfVersion>,
) -> Result<Result<Loaded, LoadFailure>, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|error| Failure::Usage(format!("cannot read {}: {error}", path.display())))?;
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
                message: error.to_string(),
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
