//! Assembly text → statements, with line and column for every piece.
//!
//! The grammar is the reference assembler's, line by line:
//!
//! ```text
//! line      := [label ":"]* [statement] [comment]
//! statement := mnemonic [operand ("," operand)*]
//!            | "." directive [operand ("," operand)*]
//! operand   := "r" digits                      register
//!            | ["+" | "-"] (digits | "0x" hex) integer
//!            | "[" register [("+" | "-") integer] "]"   memory
//!            | identifier                       label
//! comment   := ("#" | ";" | "//") anything
//! ```
//!
//! Identifiers are letters, digits and `_`. Columns count characters from 1.

use super::error::{quoted, AsmError, AsmProblem};

/// A parsed operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperandValue {
    /// `rN`.
    Register(u8),
    /// An integer; the magnitude may need all 64 bits, hence i128.
    Integer(i128),
    /// `[rN+off]`.
    Memory {
        /// Base register.
        base: u8,
        /// Signed offset.
        offset: i128,
    },
    /// A label or symbol name.
    Name(String),
    /// A string literal (`.ascii "…"`), escapes resolved.
    Str(Vec<u8>),
}

/// An operand and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// 1-based column of its first character.
    pub column: usize,
    /// What it is.
    pub value: OperandValue,
}

/// What a statement is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `name:`.
    Label(String),
    /// `.name operands`.
    Directive(String, Vec<Operand>),
    /// `mnemonic operands`.
    Instruction(String, Vec<Operand>),
}

/// A statement and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What it is.
    pub body: Body,
}

/// Splits `source` into statements.
pub fn parse(source: &str) -> Result<Vec<Statement>, AsmError> {
    let mut statements = Vec::new();
    for (index, raw_line) in source.lines().enumerate() {
        let mut cursor = Cursor::new(strip_comment(raw_line), index + 1);
        cursor.parse_line(&mut statements)?;
    }
    Ok(statements)
}

/// The line without its comment (`#`, `;` or `//` outside a string literal).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if in_string => at += 1,
            b'"' => in_string = !in_string,
            b'#' | b';' if !in_string => return &line[..at],
            b'/' if !in_string && bytes.get(at + 1) == Some(&b'/') => return &line[..at],
            _ => {}
        }
        at += 1;
    }
    line
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A position in one line.
struct Cursor {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Cursor {
    fn new(text: &str, line: usize) -> Self {
        Cursor {
            chars: text.chars().collect(),
            at: 0,
            line,
        }
    }

    fn column(&self) -> usize {
        self.at + 1
    }

    fn error(&self, column: usize, problem: AsmProblem) -> AsmError {
        AsmError {
            line: self.line,
            column,
            problem,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.at;
        while self.peek().is_some_and(&keep) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    fn expect(&mut self, wanted: char) -> Result<(), AsmError> {
        self.skip_spaces();
        match self.peek() {
            Some(c) if c == wanted => {
                self.at += 1;
                Ok(())
            }
            found => Err(self.error(
                self.column(),
                AsmProblem::Syntax(format!("expected {wanted:?}, found {}", describe(found))),
            )),
        }
    }

    fn parse_line(&mut self, out: &mut Vec<Statement>) -> Result<(), AsmError> {
        loop {
            self.skip_spaces();
            let column = self.column();
            let Some(first) = self.peek() else {
                return Ok(());
            };
            if first == '.' {
                self.at += 1;
                let name = self.take_while(is_ident_char);
                if name.is_empty() {
                    return Err(self.error(
                        column,
                        AsmProblem::Syntax("directive name missing after '.'".into()),
                    ));
                }
                let operands = self.parse_operands()?;
                out.push(self.statement(column, Body::Directive(name, operands)));
                return self.expect_end();
            }
            if !is_ident_char(first) {
                return Err(self.error(
                    column,
                    AsmProblem::Syntax(format!("unexpected {}", describe(Some(first)))),
                ));
            }
            let word = self.take_while(is_ident_char);
            let after_word = self.at;
            self.skip_spaces();
            if self.peek() == Some(':') {
                self.at += 1;
                out.push(self.statement(column, Body::Label(word)));
                continue;
            }
            self.at = after_word;
            let operands = self.parse_operands()?;
            out.push(self.statement(
                column,
                Body::Instruction(word.to_ascii_lowercase(), operands),
            ));
            return self.expect_end();
        }
    }

    fn statement(&self, column: usize, body: Body) -> Statement {
        Statement {
            line: self.line,
            column,
            body,
        }
    }

    fn expect_end(&mut self) -> Result<(), AsmError> {
        self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            found => Err(self.error(
                self.column(),
                AsmProblem::Syntax(format!("unexpected {} after the operands", describe(found))),
            )),
        }
    }

    fn parse_operands(&mut self) -> Result<Vec<Operand>, AsmError> {
        let mut operands = Vec::new();
        self.skip_spaces();
        if self.peek().is_none() {
            return Ok(operands);
        }
        loop {
            operands.push(self.parse_operand()?);
            self.skip_spaces();
            if self.peek() == Some(',') {
                self.at += 1;
            } else {
                return Ok(operands);
            }
        }
    }

    fn parse_operand(&mut self) -> Result<Operand, AsmError> {
        self.skip_spaces();
        let column = self.column();
        let value = match self.peek() {
            Some('[') => {
                self.at += 1;
                self.skip_spaces();
                let base = self.parse_register()?;
                self.skip_spaces();
                let offset = match self.peek() {
                    Some('+' | '-') => self.parse_integer()?,
                    _ => 0,
                };
                self.expect(']')?;
                OperandValue::Memory { base, offset }
            }
            Some('"') => OperandValue::Str(self.parse_string()?),
            Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                OperandValue::Integer(self.parse_integer()?)
            }
            Some(c) if is_ident_char(c) => {
                let start = self.at;
                let word = self.take_while(is_ident_char);
                match register_number(&word) {
                    Some(Ok(number)) => OperandValue::Register(number),
                    Some(Err(())) => {
                        self.at = start;
                        return Err(self.error(column, AsmProblem::RegisterOutOfRange(word)));
                    }
                    None => OperandValue::Name(word),
                }
            }
            found => {
                return Err(self.error(
                    column,
                    AsmProblem::Syntax(format!("expected an operand, found {}", describe(found))),
                ));
            }
        };
        Ok(Operand { column, value })
    }

    /// `"…"` with the escapes `\n \t \r \0 \\ \" \xNN`.
    fn parse_string(&mut self) -> Result<Vec<u8>, AsmError> {
        let column = self.column();
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error(column, AsmProblem::Syntax("unterminated string".into())));
            };
            self.at += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let escape_column = self.column() - 1;
                    let escaped = self.peek();
                    self.at += 1;
                    match escaped {
                        Some('n') => out.push(b'\n'),
                        Some('t') => out.push(b'\t'),
                        Some('r') => out.push(b'\r'),
                        Some('0') => out.push(0),
                        Some('\\') => out.push(b'\\'),
                        Some('"') => out.push(b'"'),
                        Some('x') => {
                            let hex: String = self
                                .chars
                                .get(self.at..self.at + 2)
                                .map(|c| c.iter().collect())
                                .unwrap_or_default();
                            let byte = u8::from_str_radix(&hex, 16).map_err(|_| {
                                self.error(
                                    escape_column,
                                    AsmProblem::Syntax("\\x needs two hex digits".into()),
                                )
                            })?;
                            self.at += 2;
                            out.push(byte);
                        }
                        _ => {
                            return Err(self
                                .error(escape_column, AsmProblem::Syntax("unknown escape".into())))
                        }
                    }
                }
                c => {
                    let mut buffer = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
                }
            }
        }
    }

    fn parse_register(&mut self) -> Result<u8, AsmError> {
        let column = self.column();
        let word = self.take_while(is_ident_char);
        match register_number(&word) {
            Some(Ok(number)) => Ok(number),
            Some(Err(())) => Err(self.error(column, AsmProblem::RegisterOutOfRange(word))),
            None => Err(self.error(
                column,
                AsmProblem::Syntax(format!("expected a register, found {}", quoted(&word))),
            )),
        }
    }

    fn parse_integer(&mut self) -> Result<i128, AsmError> {
        let column = self.column();
        let negative = match self.peek() {
            Some('-') => {
                self.at += 1;
                true
            }
            Some('+') => {
                self.at += 1;
                false
            }
            _ => false,
        };
        self.skip_spaces();
        let digits_column = self.column();
        let word = self.take_while(is_ident_char);
        let magnitude = parse_magnitude(&word).ok_or_else(|| {
            let problem = if word.is_empty() {
                AsmProblem::Syntax("expected digits".into())
            } else {
                AsmProblem::BadInteger(word.clone())
            };
            self.error(
                if word.is_empty() {
                    digits_column
                } else {
                    column
                },
                problem,
            )
        })?;
        Ok(if negative { -magnitude } else { magnitude })
    }
}

/// `r0`..`r15` → Some(Ok(n)); `r16`, `r99` → Some(Err); anything else (a label) → None.
fn register_number(word: &str) -> Option<Result<u8, ()>> {
    let digits = word.strip_prefix('r').or_else(|| word.strip_prefix('R'))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match digits.parse::<u8>() {
        Ok(n) if n < 16 => Ok(n),
        _ => Err(()),
    })
}

/// Decimal or `0x` hexadecimal, at most 64 bits of magnitude.
fn parse_magnitude(word: &str) -> Option<i128> {
    let value = if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()?
    } else if word.bytes().all(|b| b.is_ascii_digit()) {
        word.parse::<u64>().ok()?
    } else {
        return None;
    };
    Some(i128::from(value))
}

fn describe(found: Option<char>) -> String {
    match found {
        Some(c) => format!("{c:?}"),
        None => "the end of the line".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(source: &str) -> Body {
        let mut statements = parse(source).unwrap();
        assert_eq!(statements.len(), 1, "{statements:?}");
        statements.remove(0).body
    }

    #[test]
    fn operands_of_every_shape() {
        assert_eq!(
            only("stxw [r10-4], r1"),
            Body::Instruction(
                "stxw".into(),
                vec![
                    Operand {
                        column: 6,
                        value: OperandValue::Memory {
                            base: 10,
                            offset: -4
                        }
                    },
                    Operand {
                        column: 15,
                        value: OperandValue::Register(1)
                    },
                ]
            )
        );
        assert_eq!(
            only("jeq r1, -0x10, done"),
            Body::Instruction(
                "jeq".into(),
                vec![
                    Operand {
                        column: 5,
                        value: OperandValue::Register(1)
                    },
                    Operand {
                        column: 9,
                        value: OperandValue::Integer(-16)
                    },
                    Operand {
                        column: 16,
                        value: OperandValue::Name("done".into())
                    },
                ]
            )
        );
        assert_eq!(
            only("ldxdw r1, [ r2 + 8 ]"),
            Body::Instruction(
                "ldxdw".into(),
                vec![
                    Operand {
                        column: 7,
                        value: OperandValue::Register(1)
                    },
                    Operand {
                        column: 11,
                        value: OperandValue::Memory { base: 2, offset: 8 }
                    },
                ]
            )
        );
    }

    #[test]
    fn labels_comments_and_blank_lines() {
        let statements = parse("loop: exit # done\n\n; full line\n  // another\nend:").unwrap();
        let bodies: Vec<_> = statements
            .into_iter()
            .map(|s| (s.line, s.column, s.body))
            .collect();
        assert_eq!(
            bodies,
            vec![
                (1, 1, Body::Label("loop".into())),
                (1, 7, Body::Instruction("exit".into(), vec![])),
                (5, 1, Body::Label("end".into())),
            ]
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let error = parse("exit\nmov64 r1, @").unwrap_err();
        assert_eq!((error.line, error.column), (2, 11));
        let error = parse("mov64 r16, 1").unwrap_err();
        assert_eq!(
            (error.line, error.column, error.problem),
            (1, 7, AsmProblem::RegisterOutOfRange("r16".into()))
        );
        let error = parse("mov64 r1, 0x1ffffffffffffffff").unwrap_err();
        assert_eq!((error.line, error.column), (1, 11));
        let error = parse("ldxb r1, [r2+4").unwrap_err();
        assert_eq!((error.line, error.column), (1, 15));
    }
}
