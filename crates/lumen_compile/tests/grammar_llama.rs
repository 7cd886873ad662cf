//! Peer test: the GBNF grammars of compiled `Tool(...) expect schema T` calls, loaded by
//! llama.cpp itself (llama-cpp-python's `LlamaGrammar.from_string` and the grammar sampler of
//! `llama_sampler_init_grammar`, which parses the grammar and fails on any error), and sample JSON
//! texts fed token by token through that sampler: values of the type are accepted to the end
//! (end of generation allowed), texts that are not are cut off.
//!
//! Needs the llama-cpp-python virtualenv and model that `scripts/setup-peers` installs under
//! `$LUMEN_PEERS` (default `~/.cache/lumen-peers`); fails, naming that script, when they are
//! missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use lumen_compile::{CompileInput, compile};

/// The types of `fixtures/grammar_types.lm` (shared with the other grammar test), then calls.
const PROGRAM: &str = concat!(
    include_str!("fixtures/grammar_types.lm"),
    r#"
cell main()
  let a = Chat(prompt: "review") expect schema Review
  let b = Chat(prompt: "tree") expect schema Tree
  let c = Chat(prompt: "nums") expect schema list[Int]
  let d = Chat(prompt: "pair") expect schema (String, Bool)?
  let e = Chat(prompt: "either") expect schema Int | Sentiment
  let f = Chat(prompt: "anything") expect schema Json
end
"#
);

/// Per call site, in order: JSON texts the grammar must accept, and texts it must reject.
fn samples() -> Vec<(Vec<&'static str>, Vec<&'static str>)> {
    vec![
        (
            vec![
                r#"{"score": 4, "sentiment": "Positive", "summary": "fine \"really\" \\ \u00e9 é", "tags": [{"label": "a", "weight": 0.5}, {"label": "b"}], "extra": {"k": -2}, "pair": [1, "x"], "shape": {"tag": "Rect", "values": [2.5, 1e3]}}"#,
                "{\n  \"score\": 0,\n  \"sentiment\": \"Negative\",\n  \"tags\": [],\n  \"extra\": {},\n  \"pair\": [0, \"\"],\n  \"shape\": {\"tag\": \"Dot\"}\n}\n",
                r#"{"score":1,"sentiment":"Negative","summary":null,"tags":[],"extra":{"a":1,"b":2},"pair":[2,"y"],"shape":{"tag":"Dot","values":[]}}"#,
            ],
            vec![
                // Fields out of declaration order.
                r#"{"sentiment": "Positive", "score": 4, "tags": [], "extra": {}, "pair": [1, "x"], "shape": {"tag": "Dot"}}"#,
                // A required field missing.
                r#"{"score": 4, "sentiment": "Positive", "extra": {}, "pair": [1, "x"], "shape": {"tag": "Dot"}}"#,
                // A Float where an Int goes.
                r#"{"score": 4.5, "sentiment": "Positive", "tags": [], "extra": {}, "pair": [1, "x"], "shape": {"tag": "Dot"}}"#,
                // Not a variant.
                r#"{"score": 4, "sentiment": "Meh", "tags": [], "extra": {}, "pair": [1, "x"], "shape": {"tag": "Dot"}}"#,
                // A payload of the wrong length.
                r#"{"score": 4, "sentiment": "Positive", "tags": [], "extra": {}, "pair": [1, "x"], "shape": {"tag": "Rect", "values": [1]}}"#,
                // A tuple of the wrong length.
                r#"{"score": 4, "sentiment": "Positive", "tags": [], "extra": {}, "pair": [1], "shape": {"tag": "Dot"}}"#,
                // Truncated.
                r#"{"score": 4, "sentiment": "Positive""#,
            ],
        ),
        (
            vec![
                r#"{"label": "root", "kids": [{"label": "leaf", "kids": [], "parent": null}]}"#,
                r#"{"label": "x", "kids": [], "parent": {"label": "p", "kids": []}}"#,
            ],
            vec![r#"{"label": "root", "kids": [{"label": "leaf"}]}"#, r#"{"label": "x", "kids": {}}"#],
        ),
        (vec!["[]", "[1, -2, 30]", " [ 0 ] "], vec!["[1.5]", "[01]", "[1,]", r#"["1"]"#, WHITESPACE_LOOP]),
        (vec!["null", r#"["a", true]"#], vec![r#"["a"]"#, r#"["a", "true"]"#, "nul"]),
        (vec!["3", r#""Positive""#], vec![r#""Neutral""#, "3.0"]),
        (
            vec![r#"{"a": [1, 2.5, "x", true, null, {"b": {}}]}"#, r#""text""#, "-0.5e-3", "false"],
            vec!["{a: 1}", "[1,]", "'x'"],
        ),
    ]
}

/// More whitespace between two tokens than the grammar allows.
const WHITESPACE_LOOP: &str = "[1,                                    2]";

const CHECKER: &str = r#"
import ctypes, math, os, sys
import llama_cpp
from llama_cpp.llama_grammar import LlamaGrammar

model_path, root = sys.argv[1], sys.argv[2]
llm = llama_cpp.Llama(model_path=model_path, vocab_only=True, verbose=False)
vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
eos = llama_cpp.llama_vocab_eos(vocab)

def allowed(smpl, tok):
    data = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(tok, 0.0, 0.0))
    arr = llama_cpp.llama_token_data_array(data, 1, -1, False)
    llama_cpp.llama_sampler_apply(smpl, ctypes.byref(arr))
    return not math.isinf(data[0].logit)

def accepts(grammar, sample):
    smpl = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
    try:
        for tok in llm.tokenize(sample.encode(), add_bos=False, special=False):
            if not allowed(smpl, tok):
                return False
            llama_cpp.llama_sampler_accept(smpl, tok)
        return allowed(smpl, eos)
    finally:
        llama_cpp.llama_sampler_free(smpl)

for case in sorted(os.listdir(root)):
    d = os.path.join(root, case)
    grammar = open(os.path.join(d, "grammar.gbnf"), encoding="utf-8").read()
    LlamaGrammar.from_string(grammar)
    smpl = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode(), b"root")
    if not smpl:
        print(f"{case}: parse error", flush=True)
        continue
    llama_cpp.llama_sampler_free(smpl)
    print(f"{case}: parsed", flush=True)
    for name in sorted(os.listdir(d)):
        if name.endswith(".json"):
            sample = open(os.path.join(d, name), encoding="utf-8").read()
            verdict = "accepted" if accepts(grammar, sample) else "rejected"
            print(f"{case}/{name}: {verdict}", flush=True)
"#;

fn peers_dir() -> PathBuf {
    match std::env::var_os("LUMEN_PEERS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/lumen-peers"),
    }
}

fn grammars() -> Vec<String> {
    let parsed = lumen_syntax::parse_code(PROGRAM);
    assert!(!parsed.diagnostics.iter().any(|d| d.is_error()), "{:?}", parsed.diagnostics);
    let inputs =
        [CompileInput { path: "test.lm".into(), name: String::new(), source: PROGRAM, module: &parsed.module }];
    // Every name resolves as builtin 0: the prelude compiles, and the program is never run.
    let program = compile(&inputs, None, |_| Some(0)).unwrap_or_else(|e| panic!("compile errors: {e:?}"));
    program
        .tool_sites
        .into_iter()
        .enumerate()
        .map(|(i, s)| s.grammar.unwrap_or_else(|| panic!("site {i} has no grammar")))
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

#[test]
fn llama_cpp_parses_the_grammars_and_they_accept_exactly_the_typed_json() {
    let peers = peers_dir();
    let python = peers.join("llama-venv/bin/python");
    let model_file = peers.join("llama-model-path");
    assert!(
        python.is_file() && model_file.is_file(),
        "the llama-cpp-python peer is missing ({} or {} not found): run scripts/setup-peers \
         (LUMEN_PEERS={} selects where it installs)",
        python.display(),
        model_file.display(),
        peers.display()
    );
    let model = std::fs::read_to_string(&model_file).unwrap_or_default().trim().to_string();
    assert!(
        Path::new(&model).is_file(),
        "model {model:?} named by {} is missing: run scripts/setup-peers",
        model_file.display()
    );

    let grammars = grammars();
    let samples = samples();
    assert_eq!(grammars.len(), samples.len());
    let dir = std::env::temp_dir().join(format!("lumen-gbnf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut expected = Vec::new();
    for (i, (grammar, (good, bad))) in grammars.iter().zip(&samples).enumerate() {
        let case = dir.join("cases").join(format!("case{i}"));
        std::fs::create_dir_all(&case).unwrap_or_else(|e| panic!("creating {}: {e}", case.display()));
        write(&case.join("grammar.gbnf"), grammar);
        expected.push(format!("case{i}: parsed"));
        for (j, text) in good.iter().enumerate() {
            write(&case.join(format!("accept{j}.json")), text);
            expected.push(format!("case{i}/accept{j}.json: accepted"));
        }
        for (j, text) in bad.iter().enumerate() {
            write(&case.join(format!("reject{j}.json")), text);
            expected.push(format!("case{i}/reject{j}.json: rejected"));
        }
    }
    let script = dir.join("check.py");
    write(&script, CHECKER);
    let out = Command::new(&python)
        .arg(&script)
        .arg(&model)
        .arg(dir.join("cases"))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}: run scripts/setup-peers", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the checker failed ({}):\n{stdout}\n{stderr}", out.status);
    let mut got: Vec<&str> = stdout.lines().collect();
    got.sort_unstable();
    expected.sort_unstable();
    if got != expected {
        let grammars: Vec<String> = grammars.iter().enumerate().map(|(i, g)| format!("case{i}:\n{g}")).collect();
        panic!("llama.cpp disagrees:\n got: {got:#?}\nwant: {expected:#?}\n{}\nstderr:\n{stderr}", grammars.join("\n"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
