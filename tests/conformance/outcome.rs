//! A case's outcome at one version, as a value: what a `-- expect` line records and what a run
//! of sbvm (or of the reference) produces, compared field by field.
//!
//! An expect line is `VERSIONS: OUTCOME`, the outcome one of
//!
//! ```text
//! load KIND                                  the loader refused the program
//! verify FAULT                               the verifier refused it: UnknownOpCode(24, 0)
//! ok VALUE insns=N pc=P [logs=["…", …]]      it returned VALUE
//! err FAULT insns=N pc=P [logs=["…", …]]     it stopped with FAULT: DivideByZero
//! ```
//!
//! with the fault in the reference's rendering ([`Fault`]) and the logs as a JSON array.

use crate::common::reference::Fault;
use std::fmt;

/// How a case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The loader refused the program, with an error of this kind.
    Load(String),
    /// The verifier refused the program.
    Verify(Fault),
    /// The program ran.
    Run(Run),
}

/// A run to its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// `r0` on return, or the error that stopped the program.
    pub result: Result<u64, Fault>,
    /// Instructions executed (metered).
    pub instructions: u64,
    /// The pc of the last instruction.
    pub pc: u64,
    /// What the program logged, in order.
    pub logs: Vec<String>,
}

impl std::str::FromStr for Outcome {
    type Err = String;

    fn from_str(line: &str) -> Result<Self, String> {
        let (stage, rest) = line
            .split_once(' ')
            .ok_or_else(|| format!("no outcome in {line:?}"))?;
        let (result, rest) = match stage {
            "load" => return Ok(Outcome::Load(rest.to_string())),
            "verify" => return rest.parse().map(Outcome::Verify),
            "ok" => {
                let (value, rest) = rest.split_once(' ').unwrap_or((rest, ""));
                let value = value
                    .parse()
                    .map_err(|error| format!("result {value:?}: {error}"))?;
                (Ok(value), rest)
            }
            "err" => {
                let (fault, rest) = Fault::parse_prefix(rest)?;
                (Err(fault), rest.strip_prefix(' ').unwrap_or(rest))
            }
            _ => return Err(format!("unknown stage {stage:?} in {line:?}")),
        };
        let field = |rest: &'_ str, name: &str| -> Result<(u64, String), String> {
            let rest = rest
                .strip_prefix(name)
                .ok_or_else(|| format!("expected `{name}` in {line:?}"))?;
            let (value, rest) = rest.split_once(' ').unwrap_or((rest, ""));
            let value = value
                .parse()
                .map_err(|error| format!("{name}{value:?}: {error}"))?;
            Ok((value, rest.to_string()))
        };
        let (instructions, rest) = field(rest, "insns=")?;
        let (pc, rest) = field(&rest, "pc=")?;
        let logs = match rest.as_str() {
            "" => Vec::new(),
            rest => {
                let json = rest
                    .strip_prefix("logs=")
                    .ok_or_else(|| format!("expected `logs=` in {line:?}"))?;
                serde_json::from_str(json).map_err(|error| format!("logs {json:?}: {error}"))?
            }
        };
        Ok(Outcome::Run(Run {
            result,
            instructions,
            pc,
            logs,
        }))
    }
}

impl fmt::Display for Outcome {
    /// The expect line's form (what blessing writes).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Load(kind) => write!(f, "load {kind}"),
            Outcome::Verify(fault) => write!(f, "verify {fault}"),
            Outcome::Run(run) => {
                match &run.result {
                    Ok(value) => write!(f, "ok {value}")?,
                    Err(fault) => write!(f, "err {fault}")?,
                }
                write!(f, " insns={} pc={}", run.instructions, run.pc)?;
                if !run.logs.is_empty() {
                    let logs = serde_json::to_string(&run.logs).map_err(|_| fmt::Error)?;
                    write!(f, " logs={logs}")?;
                }
                Ok(())
            }
        }
    }
}

/// What differs between sbvm's outcome and the expected one, one line per field; empty when
/// they are equal.
pub fn differences(sbvm: &Outcome, expected: &Outcome) -> Vec<String> {
    let line = |what: &str, sbvm: &dyn fmt::Display, expected: &dyn fmt::Display| {
        format!("{what:<8} sbvm {sbvm}, reference {expected}")
    };
    let result = |result: &Result<u64, Fault>| match result {
        Ok(value) => format!("ok {value}"),
        Err(fault) => format!("err {fault}"),
    };
    match (sbvm, expected) {
        (Outcome::Run(ours), Outcome::Run(theirs)) => {
            let mut lines = Vec::new();
            if ours.result != theirs.result {
                lines.push(line(
                    "result",
                    &result(&ours.result),
                    &result(&theirs.result),
                ));
            }
            if ours.instructions != theirs.instructions {
                lines.push(line("insns", &ours.instructions, &theirs.instructions));
            }
            if ours.pc != theirs.pc {
                lines.push(line("pc", &ours.pc, &theirs.pc));
            }
            let count = ours.logs.len().max(theirs.logs.len());
            for index in 0..count {
                let (ours, theirs) = (ours.logs.get(index), theirs.logs.get(index));
                if ours != theirs {
                    let show =
                        |log: Option<&String>| log.map_or("none".into(), |l| format!("{l:?}"));
                    lines.push(line(&format!("log {index}"), &show(ours), &show(theirs)));
                }
            }
            lines
        }
        _ if sbvm == expected => Vec::new(),
        _ => vec![line("outcome", sbvm, expected)],
    }
}
