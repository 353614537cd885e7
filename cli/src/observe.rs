//! `--profile FILE` and `--coverage FILE` for `sbvm run` and `sbvm fixture`: the run stepped
//! under `sbvm::observe::Observation`, then the folded stacks written to the profile file with a
//! table of compute units per function on stderr, and an lcov tracefile (with the disassembly
//! listings it points at, for programs without DWARF) written to the coverage file.

use crate::report;
use crate::Failure;
use sbvm::observe::Observation;
use sbvm::vm::Engine;
use std::path::{Path, PathBuf};

/// The observing options of a command that runs programs.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ObserveArgs {
    /// Write the run's profile to FILE as folded stacks (`outer;inner N`, N compute units; a
    /// syscall's cost on the function that called it, an invoked program's frames as
    /// `<program id>:<function>` under its caller's), and print the compute units per function
    /// (self and total) on stderr. Steps the run with the interpreter.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Write the run's coverage to FILE as an lcov tracefile: hits per source line from the
    /// ELF's DWARF line table, or else per line of a disassembly listing written beside FILE
    /// (FILE.s; FILE.<program id>.s for `fixture`). Steps the run with the interpreter.
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
}

impl ObserveArgs {
    /// Whether the run is observed.
    pub fn on(&self) -> bool {
        self.profile.is_some() || self.coverage.is_some()
    }

    /// Refuses what cannot go with observing: the JIT (observing steps with the interpreter)
    /// and `--trace` (which steps the run its own way).
    pub fn check(&self, engine: Engine, trace: bool) -> Result<(), Failure> {
        if !self.on() {
            return Ok(());
        }
        if engine == Engine::Jit {
            return Err(Failure::Usage(
                "--profile and --coverage step with the interpreter; drop --engine jit (the engines agree)"
                    .into(),
            ));
        }
        if trace {
            return Err(Failure::Usage(
                "--trace cannot go with --profile or --coverage: each steps the run its own way"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Writes what `observation` recorded to the requested files and prints the profile's table
    /// on stderr. `elf_of` gives a program's ELF file (by the name its run was observed under),
    /// for its DWARF line table.
    pub fn write(
        &self,
        observation: &Observation,
        elf_of: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> Result<(), Failure> {
        if let Some(path) = &self.profile {
            let profile = observation.profile();
            write_file(path, &profile.folded())?;
            for line in profile.table().lines() {
                report::err(line);
            }
        }
        if let Some(path) = &self.coverage {
            // The tracefile names its listings by absolute path, so genhtml finds them from
            // anywhere.
            let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let files = observation.coverage().files(&path, elf_of);
            for (listing, text) in &files.listings {
                write_file(listing, text)?;
            }
            write_file(&path, &files.lcov)?;
        }
        Ok(())
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|error| Failure::Usage(format!("cannot write {}: {error}", path.display())))
}
