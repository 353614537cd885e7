//! The instruction's log, with Agave's byte limit and its fixed line formats.
//!
//! ```text
//! Program <id> invoke [<depth>]
//! Program log: <text>                       sol_log_, sol_log_64_, sol_log_pubkey, panics
//! Program data: <base64> <base64> …         sol_log_data
//! Program consumption: <n> units remaining  sol_log_compute_units_
//! Program <id> consumed <n> of <m> compute units
//! Program return: <id> <base64>
//! Program <id> success | Program <id> failed: <error>
//! ```
//!
//! Once the messages reach 10,000 bytes, the line that would cross the limit and every later
//! one are dropped and a single `Log truncated` is recorded in their place.

use super::pubkey::Pubkey;
use base64::Engine as _;
use std::sync::Arc;

/// Bytes of messages kept before the log is truncated.
pub const LOG_BYTES_LIMIT: usize = 10_000;

/// The messages an instruction logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogCollector {
    messages: Vec<String>,
    bytes: usize,
    truncated: bool,
    /// The last program id written in base58 (an instruction's lines name it three times).
    last_id: Option<(Pubkey, Arc<str>)>,
}

impl LogCollector {
    /// Records `message`, unless the limit is reached.
    pub fn log(&mut self, message: String) {
        let bytes = self.bytes.saturating_add(message.len());
        if bytes >= LOG_BYTES_LIMIT {
            if !self.truncated {
                self.truncated = true;
                self.messages.push("Log truncated".to_string());
            }
        } else {
            self.bytes = bytes;
            self.messages.push(message);
        }
    }

    /// The messages so far.
    pub fn messages(&self) -> &[String] {
        &self.messages
    }

    /// Takes the messages out.
    pub fn into_messages(self) -> Vec<String> {
        self.messages
    }

    /// A log that writes `program_id` as `name` (its base58, computed once by the caller).
    pub fn naming(program_id: Pubkey, name: Arc<str>) -> Self {
        LogCollector {
            // An instruction logs at least invoke, consumed and success or failure.
            messages: Vec::with_capacity(8),
            last_id: Some((program_id, name)),
            ..LogCollector::default()
        }
    }

    /// `program_id` in base58.
    fn id(&mut self, program_id: &Pubkey) -> Arc<str> {
        match &self.last_id {
            Some((key, text)) if key == program_id => Arc::clone(text),
            _ => {
                let text: Arc<str> = program_id.to_string().into();
                self.last_id = Some((*program_id, Arc::clone(&text)));
                text
            }
        }
    }

    /// `Program <id> invoke [<depth>]`.
    pub fn program_invoke(&mut self, program_id: &Pubkey, depth: usize) {
        let id = self.id(program_id);
        self.log(line(&[
            Piece::Text("Program "),
            Piece::Text(&id),
            Piece::Text(" invoke ["),
            Piece::Number(depth as u64),
            Piece::Text("]"),
        ]));
    }

    /// `Program log: <text>`.
    pub fn program_log(&mut self, text: &str) {
        self.log(line(&[Piece::Text("Program log: "), Piece::Text(text)]));
    }

    /// `Program data: <base64>…`, one field per slice.
    pub fn program_data(&mut self, fields: &[&[u8]]) {
        let encoded: Vec<String> = fields
            .iter()
            .map(|field| base64::engine::general_purpose::STANDARD.encode(field))
            .collect();
        self.log(format!("Program data: {}", encoded.join(" ")));
    }

    /// `Program <id> consumed <n> of <m> compute units`.
    pub fn program_consumed(&mut self, program_id: &Pubkey, consumed: u64, available: u64) {
        let id = self.id(program_id);
        self.log(line(&[
            Piece::Text("Program "),
            Piece::Text(&id),
            Piece::Text(" consumed "),
            Piece::Number(consumed),
            Piece::Text(" of "),
            Piece::Number(available),
            Piece::Text(" compute units"),
        ]));
    }

    /// `Program return: <id> <base64>`.
    pub fn program_return(&mut self, program_id: &Pubkey, data: &[u8]) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(data);
        let id = self.id(program_id);
        self.log(format!("Program return: {id} {encoded}"));
    }

    /// `Program <id> success`.
    pub fn program_success(&mut self, program_id: &Pubkey) {
        let id = self.id(program_id);
        self.log(line(&[
            Piece::Text("Program "),
            Piece::Text(&id),
            Piece::Text(" success"),
        ]));
    }

    /// `Program <id> failed: <error>`.
    pub fn program_failure(&mut self, program_id: &Pubkey, error: &dyn std::fmt::Display) {
        let id = self.id(program_id);
        self.log(format!("Program {id} failed: {error}"));
    }
}

/// A part of a log line.
enum Piece<'a> {
    Text(&'a str),
    Number(u64),
}

/// Digits of `value` in decimal, right-aligned in a buffer: (buffer, first digit's index).
fn decimal(mut value: u64) -> ([u8; 20], usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            return (digits, at);
        }
    }
}

/// The line made of `pieces`, allocated once at its exact length (the lines every instruction
/// logs are built often enough for `format!`'s machinery and regrowth to show).
fn line(pieces: &[Piece<'_>]) -> String {
    let length: usize = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.len(),
            Piece::Number(value) => 20 - decimal(*value).1,
        })
        .sum();
    let mut out = String::with_capacity(length);
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Number(value) => {
                let (digits, at) = decimal(*value);
                out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_once_at_the_limit() {
        // Agave's LogCollector test: 20,000 one-byte messages keep 9,999 and one marker.
        let mut log = LogCollector::default();
        for _ in 0..2 * LOG_BYTES_LIMIT {
            log.log("x".to_string());
        }
        let messages = log.into_messages();
        assert_eq!(messages.len(), LOG_BYTES_LIMIT);
        assert_eq!(messages[LOG_BYTES_LIMIT - 2], "x");
        assert_eq!(messages[LOG_BYTES_LIMIT - 1], "Log truncated");
    }

    #[test]
    fn lines_read_as_format_would_write_them() {
        let mut log = LogCollector::default();
        let token: Pubkey = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
            .parse()
            .unwrap();
        log.program_invoke(&token, 1);
        log.program_log("Instruction: Transfer");
        log.program_consumed(&token, 0, u64::MAX);
        log.program_consumed(&token, 1416, 1_400_000);
        log.program_success(&token);
        let id = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
        assert_eq!(
            log.messages(),
            [
                format!("Program {id} invoke [1]"),
                "Program log: Instruction: Transfer".to_string(),
                format!("Program {id} consumed 0 of {} compute units", u64::MAX),
                format!("Program {id} consumed 1416 of 1400000 compute units"),
                format!("Program {id} success"),
            ]
        );
    }

    #[test]
    fn return_line_in_base64() {
        // From mollusk's get_account_data_size fixture (../shared/solana-oracle).
        let mut log = LogCollector::default();
        let token: Pubkey = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
            .parse()
            .unwrap();
        log.program_return(&token, &165u64.to_le_bytes());
        assert_eq!(
            log.messages(),
            ["Program return: TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA pQAAAAAAAAA="]
        );
    }
}
