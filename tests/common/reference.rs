//! Errors as the reference runtime (solana-sbpf) names them, as values.
//!
//! The reference reports an error through its `Debug` rendering: a kind and, for some kinds, a
//! payload (`UnknownOpCode(24, 0)`, `AccessViolation(Store, 4294967296, 8, "program")`). A
//! [`Fault`] is that rendering parsed into a value, or built from sbvm's own error the way the
//! reference would render it, so that the two compare field by field; its `Display` is the
//! reference's rendering again.

use std::fmt;

/// One field of an error's payload, in the reference's rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// An integer (`24`, `4294967296`).
    Number(i128),
    /// A bare name: an enum variant such as the access type (`Load`, `Store`).
    Name(String),
    /// A quoted string (`"program"`), unquoted.
    Text(String),
}

/// An error's kind and payload, in the reference's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The variant's name (`AccessViolation`).
    pub kind: String,
    /// The payload, empty for a kind that has none (or whose payload is not compared).
    pub args: Vec<Arg>,
}

impl Fault {
    /// A fault of `kind` without a payload.
    pub fn kind(kind: &str) -> Self {
        Self {
            kind: kind.to_string(),
            args: Vec::new(),
        }
    }

    /// Parses a fault from the front of `text` (`Kind` or `Kind(arg, …)`), returning it and
    /// the rest of `text`.
    pub fn parse_prefix(text: &str) -> Result<(Self, &str), String> {
        let end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        if end == 0 {
            return Err(format!("no error kind at {text:?}"));
        }
        let mut fault = Self::kind(&text[..end]);
        let mut rest = &text[end..];
        let Some(mut inner) = rest.strip_prefix('(') else {
            return Ok((fault, rest));
        };
        loop {
            let (arg, after) = parse_arg(inner)?;
            fault.args.push(arg);
            if let Some(after) = after.strip_prefix(", ") {
                inner = after;
            } else if let Some(after) = after.strip_prefix(')') {
                rest = after;
                return Ok((fault, rest));
            } else {
                return Err(format!("expected `, ` or `)` at {after:?}"));
            }
        }
    }
}

/// Parses one payload field from the front of `text`.
fn parse_arg(text: &str) -> Result<(Arg, &str), String> {
    if let Some(quoted) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => return Ok((Arg::Text(value), &quoted[at + 1..])),
                '\\' => match chars.next() {
                    Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                    other => return Err(format!("unsupported escape {other:?} in {text:?}")),
                },
                c => value.push(c),
            }
        }
        return Err(format!("unterminated string at {text:?}"));
    }
    let end = text.find([',', ')']).unwrap_or(text.len());
    let word = &text[..end];
    let arg = match word.parse() {
        Ok(number) => Arg::Number(number),
        Err(_) if !word.is_empty() && !word.contains(char::is_whitespace) => {
            Arg::Name(word.to_string())
        }
        Err(_) => return Err(format!("no payload field at {text:?}")),
    };
    Ok((arg, &text[end..]))
}

impl std::str::FromStr for Fault {
    type Err = String;

    /// Parses a whole rendering; nothing may follow it.
    fn from_str(text: &str) -> Result<Self, String> {
        match Self::parse_prefix(text)? {
            (fault, "") => Ok(fault),
            (_, rest) => Err(format!("{rest:?} after the error in {text:?}")),
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Number(number) => write!(f, "{number}"),
            Arg::Name(name) => f.write_str(name),
            Arg::Text(text) => write!(f, "{text:?}"),
        }
    }
}

impl fmt::Display for Fault {
    /// The reference's rendering: `Kind` or `Kind(arg, …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if self.args.is_empty() {
            return Ok(());
        }
        f.write_str("(")?;
        for (index, arg) in self.args.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{arg}")?;
        }
        f.write_str(")")
    }
}

fn number(value: impl Into<i128>) -> Arg {
    Arg::Number(value.into())
}

/// A verifier error as the reference reports it (`UnknownOpCode(24, 0)`).
pub fn verifier_fault(error: &sbvm::verifier::VerifierError) -> Fault {
    use sbvm::verifier::VerifierError as E;
    let args = match *error {
        E::NoProgram | E::ProgramLengthNotMultiple { .. } | E::LDDWCannotBeLast { .. } => vec![],
        E::UnknownOpCode { opcode, pc } => vec![number(opcode), number(pc as u64)],
        // The reference stores the target as usize: a negative target wraps.
        E::JumpOutOfCode { target, pc } => vec![number(target as u64), number(pc as u64)],
        E::JumpToMiddleOfLDDW { target, pc } => vec![number(target as u64), number(pc as u64)],
        E::ShiftWithOverflow { shift, bits, pc } => {
            vec![number(shift), number(bits), number(pc as u64)]
        }
        E::InvalidSyscall { hash, .. } => vec![number(hash)],
        ref other => vec![number(other.pc().unwrap_or_default() as u64)],
    };
    Fault {
        kind: error.kind_name().to_string(),
        args,
    }
}

/// A runtime error as the reference reports it (`AccessViolation(Store, 4294967296, 8,
/// "program")`). Syscall errors compare by kind: their payload is the host's message.
pub fn error_fault(error: &sbvm::vm::EbpfError) -> Fault {
    use sbvm::vm::{AccessType, EbpfError as E};
    let access = |a: &AccessType| {
        Arg::Name(
            match a {
                AccessType::Load => "Load",
                AccessType::Store => "Store",
            }
            .to_string(),
        )
    };
    let args = match error {
        E::AccessViolation {
            access: a,
            vaddr,
            len,
            region,
        } => vec![
            access(a),
            number(*vaddr),
            number(*len),
            Arg::Text(region.to_string()),
        ],
        E::StackAccessViolation {
            access: a,
            vaddr,
            len,
            frame,
        } => vec![access(a), number(*vaddr), number(*len), number(*frame)],
        _ => vec![],
    };
    Fault {
        kind: error.kind_name().to_string(),
        args,
    }
}
