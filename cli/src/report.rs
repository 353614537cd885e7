//! How outcomes are printed: one JSON line, or a report for people.

use serde_json::Value;
use std::io::Write;

/// Prints a line to stdout; a closed pipe (`sbvm run … | head`) is not an error worth a panic.
pub fn out(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
}

/// Prints a line to stderr, ignoring a closed pipe.
pub fn err(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// A JSON object with its keys in the given order.
pub fn ordered_object(fields: &[(&str, Value)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{}", Value::from(*key), value))
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
    ordered_object(&[
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
    ])
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
        let message = printable(self.message.as_deref().unwrap_or_default());
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
                    err(&printable(&line));
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

/// `text` with its control characters escaped (`\n`, `\u{1b}`), so that what a guest logged
/// cannot drive the terminal.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_control() {
            out.extend(character.escape_default());
        } else {
            out.push(character);
        }
    }
    out
}
