//! A `.case` file: a program in the reference assembler's syntax, run settings, and the outcome
//! per version (tests/conformance/generate.py describes the format).

use super::outcome::Outcome;
use crate::common;
use sbvm::isa::SbpfVersion;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Case {
    /// The file's stem: the first part of each of the case's test names.
    pub name: String,
    pub path: PathBuf,
    /// The lines before `-- asm`, kept for blessing.
    pub header: Vec<String>,
    pub budget: u64,
    pub input: Vec<u8>,
    pub input_hex: Option<String>,
    pub asm: String,
    /// Version → expected outcome, or why the expect line could not be read.
    pub expect: BTreeMap<SbpfVersion, Result<Outcome, String>>,
    /// The expect section's lines, as written.
    pub expect_lines: Vec<String>,
}

impl Case {
    pub fn parse(path: &Path) -> Case {
        let text = std::fs::read_to_string(path).unwrap();
        let (head, expect) = text.split_once("-- expect\n").unwrap_or((&text, ""));
        let (settings, asm) = head
            .split_once("-- asm\n")
            .expect("a case has an -- asm section");
        let mut case = Case {
            name: path.file_stem().unwrap().to_string_lossy().into_owned(),
            path: path.to_path_buf(),
            header: Vec::new(),
            budget: 100_000,
            input: Vec::new(),
            input_hex: None,
            asm: asm.to_string(),
            expect: BTreeMap::new(),
            expect_lines: Vec::new(),
        };
        for line in settings.lines() {
            case.header.push(line.to_string());
            if let Some(budget) = line.strip_prefix("-- budget ") {
                case.budget = budget.trim().parse().unwrap();
            } else if let Some(hex) = line.strip_prefix("-- input ") {
                case.input = common::hex_bytes(hex.trim());
                case.input_hex = Some(hex.trim().to_string());
            }
        }
        for line in expect.lines().filter(|line| !line.trim().is_empty()) {
            case.expect_lines.push(line.to_string());
            let (versions, outcome) = line
                .split_once(": ")
                .expect("expect lines are `v0 v1: outcome`");
            let outcome = outcome
                .parse::<Outcome>()
                .map_err(|error| format!("expect line {line:?}: {error}"));
            for version in versions.split_whitespace() {
                case.expect
                    .insert(version.parse().unwrap(), outcome.clone());
            }
        }
        case
    }

    /// The file's path from the crate's root (`tests/conformance/cases/NAME.case`).
    pub fn relative_path(&self) -> &Path {
        self.path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&self.path)
    }

    /// Every case in tests/conformance/cases, by name.
    pub fn all() -> Vec<Case> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/cases");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        paths.retain(|path| path.extension().is_some_and(|ext| ext == "case"));
        paths.sort();
        paths.iter().map(|path| Case::parse(path)).collect()
    }

    /// Rewrites the case's file with `outcomes` as its expect section, versions with the same
    /// outcome on one line.
    pub fn bless(&self, outcomes: impl IntoIterator<Item = (SbpfVersion, Outcome)>) {
        let mut grouped: Vec<(Vec<SbpfVersion>, Outcome)> = Vec::new();
        for (version, outcome) in outcomes {
            match grouped.iter_mut().find(|(_, other)| *other == outcome) {
                Some((versions, _)) => versions.push(version),
                None => grouped.push((vec![version], outcome)),
            }
        }
        let mut text = self.header.join("\n") + "\n-- asm\n" + &self.asm + "-- expect\n";
        for (versions, outcome) in grouped {
            let names: Vec<&str> = versions.iter().map(|v| v.name()).collect();
            text += &format!("{}: {outcome}\n", names.join(" "));
        }
        std::fs::write(&self.path, text).unwrap();
    }
}
