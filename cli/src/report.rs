//! How outcomes are printed: one JSON line, or a report for people.

use crate::Failure;
use serde_json::Value;
use std::io::Write;

/// Prints a line to stdout; a closed pipe (`sbvm run … | head`) is not an error worth a panic.
pub fn out(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// Prints a line to stderr, ignoring a closed pipe. The line goes through [`printable`]: what
/// reaches stderr (error messages quoting file names, arguments, assembly tokens, guest text)
/// cannot drive the terminal.
pub fn err(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", printable(line));
}

/// A JSON object with its keys in the given order.
pub fn ordered_object(fields: &[(&str, Value)]) -> String {
    let fields: Vec<(&str, String)> = fields
        .iter()
        .map(|(key, value)| (*key, value.to_string()))
        .collect();
    raw_object(&fields)
}

/// A JSON object with its keys in the given order, each value already JSON text (an object
/// nested with its own order: serde_json's `Value` would sort its keys).
pub fn raw_object<K: AsRef<str>>(fields: &[(K, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", Value::from(key.as_ref())))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// What a run (or a failed load) produced.
pub struct Outcome {
    /// The engine's name; `None` (JSON `null`) when the arguments did not parse to one.
    pub engine: Option<&'static str>,
    /// `usage`, `load`, `verify`, `compile` or `execute`.
    pub stage: String,
    pub result: Option<u64>,
    /// The reference's variant name of the error.
    pub error: Option<String>,
    pub message: Option<String>,
    pub instructions: u64,
    /// Instruction index where the run ended.
    pub pc: usize,
    pub logs: Vec<String>,
    /// For a fault: the instruction and the enclosing function, when known.
    pub location: Option<(Option<String>, Option<String>)>,
}

/// The `--json` line: exactly the fields of the contract, in its order.
pub fn json_line(outcome: &Outcome) -> String {
    ordered_object(&json_fields(outcome))
}

/// The fields of the `--json` line, in order, for a line that adds its own after them.
pub fn json_fields(outcome: &Outcome) -> [(&'static str, Value); 8] {
    [
        ("engine", outcome.engine.map_or(Value::Null, Value::from)),
        ("stage", Value::from(outcome.stage.clone())),
        ("result", outcome.result.map_or(Value::Null, Value::from)),
        (
            "error",
            outcome.error.clone().map_or(Value::Null, Value::from),
        ),
        (
            "message",
            outcome.message.clone().map_or(Value::Null, Value::from),
        ),
        ("instructions", Value::from(outcome.instructions)),
        ("pc", Value::from(outcome.pc)),
        ("logs", Value::from(outcome.logs.clone())),
    ]
}

impl Outcome {
    /// The outcome of a command that failed at `stage` before it ran anything; `engine` is
    /// `None` when the arguments did not parse.
    pub fn failed(
        engine: Option<sbvm::vm::Engine>,
        stage: &str,
        kind: &str,
        message: &str,
    ) -> Self {
        Outcome {
            engine: engine.map(sbvm::vm::Engine::name),
            stage: stage.to_string(),
            result: None,
            error: Some(kind.to_string()),
            message: Some(message.to_string()),
            instructions: 0,
            pc: 0,
            logs: Vec::new(),
            location: None,
        }
    }

    /// The report for people: what the program logged, its result and count on stdout, an error
    /// and where it happened on stderr. Guest text (logs, panic messages) is escaped.
    pub fn print_human(&self) {
        for log in &self.logs {
            out(&format!("log: {}", printable(log)));
        }
        // Lines for stderr are escaped by `err`.
        let message = self.message.as_deref().unwrap_or_default();
        match (&self.result, &self.error) {
            (Some(value), _) => out(&format!("result: {value} ({value:#x})")),
            (None, Some(kind)) if self.stage == "execute" => {
                err(&format!("error: {kind}: {message}"));
                if let Some((instruction, function)) = &self.location {
                    let instruction = instruction
                        .as_deref()
                        .unwrap_or("(past the end of the text)");
                    let function = function
                        .as_ref()
                        .map(|name| format!(" in {name}"))
                        .unwrap_or_default();
                    let line = format!("  at pc {}{function}: {instruction}", self.pc);
                    err(&line);
                }
            }
            (None, Some(kind)) => err(&format!("error: {} failed: {kind}: {message}", self.stage)),
            (None, None) => {}
        }
        if self.stage == "execute" {
            out(&format!("instructions: {}", self.instructions));
        }
    }
}

/// `text` with its control characters escaped (`\n`, `\u{1b}`), and the invisible format
/// characters that reorder or hide text (bidirectional overrides such as U+202E, zero-width
/// characters, the byte-order mark: see [`is_hidden_format`]) as `\u{202e}`, so that what a
/// guest logged or a file named cannot drive the terminal or disguise what is shown.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_control() {
            out.extend(character.escape_default());
        } else if is_hidden_format(character) {
            out.extend(character.escape_unicode());
        } else {
            out.push(character);
        }
    }
    out
}

/// Format characters (Unicode category Cf) that change how the text around them is shown:
/// zero-width spaces and joiners and the directional marks (U+200B–U+200F), the bidirectional
/// embeddings and overrides (U+202A–U+202E), the invisible operators and word joiner
/// (U+2060–U+2064), the bidirectional isolates (U+2066–U+2069), the zero-width no-break space or
/// byte-order mark (U+FEFF) and the Arabic letter mark (U+061C).
pub fn is_hidden_format(character: char) -> bool {
    matches!(
        character,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{061C}'
    )
}

/// Prints `outcome` (one JSON line with `json`, else for people) and gives the exit status:
/// 0 when it has no error, 1 for a failed run, 3 for a program that did not get to run.
/// Shared by `run` and `debug`.
pub fn report_outcome(outcome: &Outcome, json: bool) -> Result<(), Failure> {
    if json {
        out(&json_line(outcome));
    } else {
        outcome.print_human();
    }
    exit_status(outcome)
}

/// The exit status of a printed `outcome`: 0 when it has no error, 1 for a failed run, 3 for
/// a program that did not get to run.
pub fn exit_status(outcome: &Outcome) -> Result<(), Failure> {
    match (&outcome.stage[..], &outcome.error) {
        (_, None) => Ok(()),
        ("execute", Some(_)) => Err(Failure::Silent(1)),
        _ => Err(Failure::Silent(3)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_hidden_format_characters_are_escaped_and_the_rest_kept() {
        // The first and last of each range above and the single ones: all Cf in UnicodeData.txt.
        let hidden = [
            '\u{200B}', '\u{200F}', '\u{202A}', '\u{202E}', '\u{2060}', '\u{2064}', '\u{2066}',
            '\u{2069}', '\u{FEFF}', '\u{061C}',
        ];
        for character in hidden {
            let shown = printable(&format!("a{character}b"));
            assert_eq!(shown, format!("a\\u{{{:x}}}b", u32::from(character)));
        }
        // Control characters keep Rust's escapes; letters of any script and the characters just
        // past the ranges (U+2010 hyphen, U+202F narrow no-break space) stay as they are.
        assert_eq!(printable("\u{1b}[2J\n"), "\\u{1b}[2J\\n");
        assert_eq!(printable("é ש \u{2010}\u{202F}"), "é ש \u{2010}\u{202F}");
    }
}
