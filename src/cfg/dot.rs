//! The graph in Graphviz's DOT language: one `digraph`, a cluster per function, a box per block
//! labelled with its instructions, flow edges labelled `taken`, `fallthrough` or `jump`, and
//! dashed edges for calls (to the callee's first block, or to a node for a syscall, a `callx`
//! or an unresolved call).
//!
//! ```text
//! digraph cfg {
//!   subgraph cluster_f0 { label="entrypoint"; f0_b0 [label="0: mov64 r0, 1\l1: exit\l"]; }
//!   f0_b0 -> f5_b5 [style=dashed];
//! }
//! ```
//!
//! Each block is drawn in the cluster of the function it belongs to; code no function reaches is
//! a cluster of its own, `unreachable`.

use super::text::{callee_name, target_name, Source};
use super::{Block, Callee, ControlFlowGraph, EdgeTarget, Function};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The graph as DOT: every function (or only `only`), and without `only` the unreachable
/// blocks.
pub fn to_dot(cfg: &ControlFlowGraph, source: &Source<'_>, only: Option<&Function>) -> String {
    let texts = source.instruction_texts(cfg);
    let functions: Vec<&Function> = match only {
        Some(function) => vec![function],
        None => cfg.functions.iter().collect(),
    };
    let drawn: BTreeSet<usize> = functions.iter().map(|function| function.start).collect();
    let mut out = String::from("digraph cfg {\n  node [shape=box, fontname=monospace];\n");
    // Text of each node outside the drawn blocks → its name.
    let mut extra_nodes: BTreeMap<String, String> = BTreeMap::new();
    let mut edges = String::new();
    for function in &functions {
        let owner = function.start;
        let _ = writeln!(
            out,
            "  subgraph cluster_f{owner} {{\n    label=\"{}\";",
            escape(&function.name)
        );
        for start in &function.blocks {
            let Some(block) = cfg.blocks.get(start) else {
                continue;
            };
            let node = node_name(owner, block.start);
            let _ = writeln!(out, "    {node} [label=\"{}\"];", label(block, &texts));
            for edge in &block.successors {
                // Inside the function, or into a block of another drawn function.
                let drawn_owner = match edge.target {
                    EdgeTarget::Block(at) => cfg
                        .blocks
                        .get(&at)
                        .and_then(|block| block.function)
                        .filter(|owner| drawn.contains(owner))
                        .map(|owner| node_name(owner, at)),
                    EdgeTarget::Invalid(_) => None,
                };
                let to = drawn_owner.unwrap_or_else(|| {
                    extra(&mut extra_nodes, format!("to {}", target_name(edge.target)))
                });
                let _ = writeln!(edges, "  {node} -> {to} [label=\"{}\"];", edge.kind.name());
            }
            for call in &block.calls {
                let to = match call.callee {
                    Callee::Function(at) if drawn.contains(&at) => node_name(at, at),
                    ref callee => extra(&mut extra_nodes, callee_name(cfg, callee)),
                };
                let _ = writeln!(edges, "  {node} -> {to} [style=dashed];");
            }
        }
        out.push_str("  }\n");
    }
    if only.is_none() && !cfg.unreachable.is_empty() {
        out.push_str("  subgraph cluster_unreachable {\n    label=\"unreachable\";\n");
        for start in &cfg.unreachable {
            if let Some(block) = cfg.blocks.get(start) {
                let _ = writeln!(
                    out,
                    "    u_b{start} [label=\"{}\", style=dotted];",
                    label(block, &texts)
                );
            }
        }
        out.push_str("  }\n");
    }
    for (text, name) in &extra_nodes {
        let _ = writeln!(out, "  {name} [label=\"{}\", shape=ellipse];", escape(text));
    }
    out.push_str(&edges);
    out.push_str("}\n");
    out
}

/// The node of block `block` in the cluster of the function starting at `function`.
fn node_name(function: usize, block: usize) -> String {
    format!("f{function}_b{block}")
}

/// The node for something outside the drawn blocks (a syscall, `callx`, an invalid target, a
/// function not drawn), one per text: its name, made on first use.
fn extra(nodes: &mut BTreeMap<String, String>, text: String) -> String {
    let next = format!("x{}", nodes.len());
    nodes.entry(text).or_insert(next).clone()
}

/// A block's label: its instructions, left-aligned lines.
fn label(block: &Block, texts: &BTreeMap<usize, String>) -> String {
    let mut label = String::new();
    for pc in &block.instructions {
        let text = texts.get(pc).map_or("?", String::as_str);
        label.push_str(&escape(&format!("{pc}: {text}")));
        label.push_str("\\l");
    }
    label
}

/// A string inside DOT's double quotes: quotes and backslashes escaped, no line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}
