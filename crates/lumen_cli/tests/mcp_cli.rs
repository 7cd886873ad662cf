//! End-to-end tests of MCP tools through the `lumen` binary: programs calling the reference MCP
//! servers over stdio, traces and replay without the servers, `lumen mcp list`, and the example.
//! The servers are installed by `scripts/setup-peers` under `$LUMEN_PEERS` (default
//! `~/.cache/lumen-peers`); a missing one fails the test with that instruction.

#[path = "../../lumen_runtime/tests/support/mcp_peer.rs"]
mod mcp_peer;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// An installed peer (`venv/bin/mcp-server-time`, ...).
fn peer(relative: &str) -> PathBuf {
    mcp_peer::installed(relative)
}

fn time_server() -> PathBuf {
    peer("venv/bin/mcp-server-time")
}

fn everything_server() -> PathBuf {
    peer("node_modules/.bin/mcp-server-everything")
}

/// A fresh directory holding `lumen.toml`, so no configuration from outside the test applies.
fn workdir(name: &str, toml: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mcp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lumen.toml"), toml).unwrap();
    dir
}

fn lumen_with_path(dir: &Path, args: &[&str], path: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lumen"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir.join("no-xdg"))
        .env("NO_COLOR", "1")
        .env("PATH", path)
        .output()
        .expect("the lumen binary runs")
}

fn lumen(dir: &Path, args: &[&str]) -> Output {
    lumen_with_path(dir, args, &std::env::var("PATH").unwrap_or_default())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A script in `dir` that notes each start in `dir/spawned.log`, then becomes `server`.
fn logging_wrapper(dir: &Path, name: &str, server: &Path) -> PathBuf {
    let script = dir.join(name);
    let log = dir.join("spawned.log");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho {name} >> '{}'\nexec '{}' \"$@\"\n", log.display(), server.display()),
    )
    .unwrap();
    let status = Command::new("chmod").arg("+x").arg(&script).status().unwrap();
    assert!(status.success());
    script
}

fn spawned(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("spawned.log")).unwrap_or_default().lines().map(str::to_owned).collect()
}

#[test]
fn program_calls_servers_then_replays_without_them() {
    let dir = workdir("replay", "");
    let clock = logging_wrapper(&dir, "clock.sh", &time_server());
    let everything = logging_wrapper(&dir, "everything.sh", &everything_server());
    std::fs::write(
        dir.join("lumen.toml"),
        format!("[providers.mcp.clock]\nuri = \"'{}' --local-timezone Etc/UTC\"\n", clock.display()),
    )
    .unwrap();
    let program = format!(
        r#"use tool clock.convert_time as Convert
grant Convert max_calls 2
use tool mcp "'{}'" as Ev
grant Ev

cell main()
  let c = Convert(source_timezone: "Asia/Tokyo", time: "09:30", target_timezone: "Asia/Kolkata")
  print(c["target"]["datetime"])
  print(c["time_difference"])
  print(Ev.echo(message: "twice"))
  print(Ev.get_sum(a: 2, b: 0.5))
end
"#,
        everything.display()
    );
    std::fs::write(dir.join("app.lm"), program).unwrap();
    let recorded = lumen(&dir, &["run", "app.lm", "--trace-dir", "traces"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", text(&recorded.stderr));
    let stdout = text(&recorded.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines[0].contains("T06:00:00") && lines[0].ends_with("+05:30"), "{stdout}");
    assert_eq!(&lines[1..3], ["-3.5h", "Echo: twice"]);
    assert!(lines[3].contains("2.5"), "{stdout}");
    // Each server started once for the whole run.
    assert_eq!(spawned(&dir), ["clock.sh", "everything.sh"]);

    let trace = std::fs::read_dir(dir.join("traces")).unwrap().next().unwrap().unwrap().path();
    let events: Vec<Value> =
        std::fs::read_to_string(&trace).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let calls: Vec<&Value> = events.iter().filter(|e| e["kind"] == "tool_call").collect();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0]["provider"], json!("mcp"));
    assert_eq!(calls[0]["path"], json!("clock.convert_time"));
    let event_text = calls[0].to_string();
    assert!(event_text.contains("\"mcp.server\":\"clock\""), "{event_text}");
    assert!(calls[2].to_string().contains("\"gen_ai.tool.name\":\"get-sum\""), "{}", calls[2]);

    // Replay: the wrappers are gone, so a started server would fail; none is started.
    std::fs::remove_file(&clock).unwrap();
    std::fs::remove_file(&everything).unwrap();
    let replayed = lumen(&dir, &["run", "app.lm", "--replay", &trace.to_string_lossy()]);
    assert_eq!(replayed.status.code(), Some(0), "{}", text(&replayed.stderr));
    assert_eq!(replayed.stdout, recorded.stdout, "replayed stdout is byte-identical");
    assert_eq!(spawned(&dir), ["clock.sh", "everything.sh"], "replay started no server");
}

#[test]
fn bad_arguments_stop_the_program_before_sending() {
    let dir = workdir("args", "");
    let program = format!(
        "use tool mcp \"'{}'\" as Ev\ngrant Ev\n\ncell main()\n  print(\"start\")\n  print(Ev.get_sum(a: 1))\nend\n",
        everything_server().display()
    );
    std::fs::write(dir.join("args.lm"), program).unwrap();
    let out = lumen(&dir, &["run", "args.lm"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "start\n");
    assert!(
        text(&out.stderr).starts_with(
            "error: tool error: Ev: invalid_args: missing argument `b`; the tool takes get_sum(a: Float, b: Float)"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn mcp_list_prints_signatures() {
    let server = time_server();
    let dir = workdir(
        "list",
        &format!("[providers.mcp.clock]\nuri = \"'{}'\"\ntools = [\"clock.convert_time\"]\n", server.display()),
    );
    let command = format!("'{}' --local-timezone Etc/UTC", server.display());
    let out = lumen(&dir, &["mcp", "list", &command]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "get_current_time(timezone: String)\n    Get current time in a specific timezone\n\
         convert_time(source_timezone: String, time: String, target_timezone: String)\n    Convert time between timezones\n"
    );
    // A configured server: tool paths, filtered by its `tools` list.
    let configured = lumen(&dir, &["mcp", "list", "clock"]);
    assert_eq!(configured.status.code(), Some(0), "{}", text(&configured.stderr));
    assert_eq!(
        text(&configured.stdout),
        "clock.convert_time(source_timezone: String, time: String, target_timezone: String)\n    Convert time between timezones\n\
         (1 more not in the `tools` list of [providers.mcp.clock])\n"
    );
    let everything = lumen(&dir, &["mcp", "list", &everything_server().to_string_lossy()]);
    assert_eq!(everything.status.code(), Some(0), "{}", text(&everything.stderr));
    assert!(text(&everything.stdout).contains("\nget_sum(a: Float, b: Float)\n"), "{}", text(&everything.stdout));
    let missing = lumen(&dir, &["mcp", "list", "lumen-no-such-mcp-server --stdio"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        text(&missing.stderr),
        "error: MCP server `lumen-no-such-mcp-server --stdio`: command `lumen-no-such-mcp-server` not found\n"
    );
}

#[test]
fn time_example_runs() {
    let dir = workdir("example", "");
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/tools/mcp_time.lm.md");
    let bin = time_server().parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = lumen_with_path(&dir, &["run", &example.to_string_lossy()], &path);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "Asia/Tokyo: offset +09:00, daylight saving: false\n09:30 in Tokyo is 06:00 in Kolkata (-3.5h)\n"
    );
}
