//! Coverage: how often each instruction ran, per program, and the lcov tracefile of it.
//!
//! ```text
//!   hits[pc] ─┬─ DWARF line table (the ELF has one) ─► SF:<source file>  DA:<line>,<hits>
//!             └─ otherwise: the disassembly listing ─► SF:<listing file> DA:<line>,<hits>
//!                written beside the tracefile          (one listing line per instruction)
//! ```
//!
//! A source line's hits are the most any of its instructions ran (a line runs once when its
//! instructions run once each). `FN`/`FNDA` name each function at its first instruction's line,
//! entered as often as that instruction ran. genhtml reads the result.

use super::dwarf::{source_lines, SourceLine};
use super::listing::listing;
use super::names::FunctionNames;
use crate::isa::disasm::Symbols;
use crate::isa::SbpfVersion;
use crate::vm::Executable;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Hit counts of every program observed, by the name the run gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    programs: BTreeMap<String, CoveredProgram>,
}

/// One program's text and hit counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveredProgram {
    text: Vec<u8>,
    version: SbpfVersion,
    functions: BTreeMap<usize, String>,
    function_keys: BTreeMap<u32, usize>,
    /// Times each instruction index ran.
    pub hits: Vec<u64>,
}

/// The files coverage is written as: the tracefile's text and the listings it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageFiles {
    /// The lcov tracefile.
    pub lcov: String,
    /// (path, text) of each listing the tracefile names.
    pub listings: Vec<(PathBuf, String)>,
}

impl Coverage {
    /// Adds one run's `hits` of `executable` under `program`.
    pub(super) fn add_run<C>(
        &mut self,
        program: &str,
        executable: &Executable<C>,
        names: &FunctionNames,
        hits: &[u64],
    ) {
        let covered = self
            .programs
            .entry(program.to_string())
            .or_insert_with(|| CoveredProgram {
                text: executable.text().to_vec(),
                version: executable.version(),
                functions: names
                    .iter()
                    .map(|(pc, name)| (pc, name.to_string()))
                    .collect(),
                function_keys: executable
                    .functions()
                    .iter()
                    .map(|(key, _, pc)| (key, pc))
                    .collect(),
                hits: vec![0; hits.len()],
            });
        for (total, hits) in covered.hits.iter_mut().zip(hits) {
            *total = total.saturating_add(*hits);
        }
    }

    /// Every program observed, by name.
    pub fn programs(&self) -> impl Iterator<Item = (&str, &CoveredProgram)> {
        self.programs
            .iter()
            .map(|(name, program)| (name.as_str(), program))
    }

    /// The hit counts of `program`.
    pub fn hits(&self, program: &str) -> Option<&[u64]> {
        self.programs.get(program).map(|p| p.hits.as_slice())
    }

    /// The tracefile for `lcov_path`, and the listings beside it: `<lcov_path>.s` for a program
    /// named `""`, `<lcov_path>.<name>.s` for the others. `elf_of` gives a program's ELF file,
    /// whose DWARF line table (if any) is used instead of a listing.
    pub fn files(
        &self,
        lcov_path: &Path,
        elf_of: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> CoverageFiles {
        let mut files = CoverageFiles {
            lcov: String::new(),
            listings: Vec::new(),
        };
        for (name, program) in &self.programs {
            let lines = elf_of(name)
                .map(|elf| source_lines(&elf))
                .unwrap_or_default();
            if lines.is_empty() {
                let path = listing_path(lcov_path, name);
                let listed = listing(&program.text, program.version, &program.symbols());
                let positions: BTreeMap<usize, SourceLine> = listed
                    .lines
                    .iter()
                    .map(|(pc, line)| {
                        let source = SourceLine {
                            file: path.clone(),
                            line: *line,
                        };
                        (*pc, source)
                    })
                    .collect();
                files.lcov.push_str(&program.records(&positions));
                files.listings.push((path, listed.text));
            } else {
                files.lcov.push_str(&program.records(&lines));
            }
        }
        files
    }
}

/// Where the listing of `program` goes beside the tracefile `lcov_path`.
pub fn listing_path(lcov_path: &Path, program: &str) -> PathBuf {
    let mut path = lcov_path.as_os_str().to_owned();
    if !program.is_empty() {
        path.push(".");
        path.push(program);
    }
    path.push(".s");
    PathBuf::from(path)
}

impl CoveredProgram {
    fn symbols(&self) -> Symbols {
        Symbols {
            functions: self.functions.clone(),
            function_keys: self.function_keys.clone(),
            ..Symbols::default()
        }
    }

    /// lcov records (one per source file) of this program's hits at `positions`.
    fn records(&self, positions: &BTreeMap<usize, SourceLine>) -> String {
        // file → line → hits; file → (line, function, entries).
        let mut files: BTreeMap<&Path, BTreeMap<u64, u64>> = BTreeMap::new();
        let mut functions: BTreeMap<&Path, Vec<(u64, &str, u64)>> = BTreeMap::new();
        for (pc, source) in positions {
            let hits = self.hits.get(*pc).copied().unwrap_or(0);
            let line = files
                .entry(&source.file)
                .or_default()
                .entry(source.line)
                .or_default();
            *line = (*line).max(hits);
        }
        for (pc, name) in &self.functions {
            if let Some(source) = positions.get(pc) {
                let entries = self.hits.get(*pc).copied().unwrap_or(0);
                let named = functions.entry(&source.file).or_default();
                if !named.iter().any(|(_, existing, _)| existing == name) {
                    named.push((source.line, name.as_str(), entries));
                }
            }
        }
        let mut out = String::new();
        for (file, lines) in &files {
            let _ = writeln!(out, "TN:\nSF:{}", file.display());
            let named = functions.get(file).map(Vec::as_slice).unwrap_or(&[]);
            for (line, name, _) in named {
                let _ = writeln!(out, "FN:{line},{name}");
            }
            for (_, name, entries) in named {
                let _ = writeln!(out, "FNDA:{entries},{name}");
            }
            let hit_functions = named.iter().filter(|(_, _, entries)| *entries > 0).count();
            let _ = writeln!(out, "FNF:{}\nFNH:{hit_functions}", named.len());
            for (line, hits) in lines {
                let _ = writeln!(out, "DA:{line},{hits}");
            }
            let hit_lines = lines.values().filter(|hits| **hits > 0).count();
            let _ = writeln!(out, "LF:{}\nLH:{hit_lines}\nend_of_record", lines.len());
        }
        out
    }
}
