//! Diagnostics for a 5,000-line file must arrive within 100 ms of a change (release build;
//! `cargo test --release -p lumen_lsp --test latency -- --nocapture` prints the figures).

mod common;

use std::fmt::Write;
use std::time::{Duration, Instant};

use common::Client;

/// A program of `cells` cells, ten lines each, over a record and an enum.
fn program(cells: usize, broken: Option<usize>) -> String {
    let mut s = String::from("record Point\n  x: Int\n  y: Int\nend\n\nenum Dir\n  Up\n  Down\nend\n\n");
    for i in 0..cells {
        let value = if broken == Some(i) { "\"oops\"" } else { "p.x + p.y" };
        write!(
            s,
            "cell step{i}(p: Point, d: Dir) -> Int\n  let total: Int = {value}\n  let scaled = total * {i}\n  match d\n    Dir.Up -> return scaled + 1\n    Dir.Down -> return scaled - 1\n  end\nend\n\n\n"
        )
        .unwrap();
    }
    s
}

#[test]
fn diagnostics_for_a_5000_line_file_arrive_within_100ms() {
    let clean = program(500, None);
    let lines = clean.lines().count();
    assert!(lines >= 5000, "{lines} lines");
    let (mut client, _) = Client::start();
    let uri = "file:///nonexistent/big.lm";
    let diags = client.open(uri, &clean);
    assert!(diags.is_empty(), "{:?}", diags.first());
    let mut times = Vec::new();
    for round in 0..6 {
        let text = program(500, Some(round * 70 + 3));
        let start = Instant::now();
        let diags = client.change(uri, 2 + round as i32 * 2, &text);
        times.push(start.elapsed());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0]["code"], serde_json::json!("E0300"));
        let start = Instant::now();
        assert!(client.change(uri, 3 + round as i32 * 2, &clean).is_empty());
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let worst = *times.last().unwrap();
    eprintln!(
        "{lines}-line file: change to diagnostics median {median:?}, worst {worst:?} over {} changes",
        times.len()
    );
    // Unoptimised builds of the checker are several times slower; the target is for release.
    let limit = if cfg!(debug_assertions) { Duration::from_secs(1) } else { Duration::from_millis(100) };
    assert!(median < limit, "median {median:?} over {limit:?}");
    client.shutdown();
}
