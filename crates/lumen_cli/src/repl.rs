//! `lumen repl` (LANGUAGE.md §9.5): reads declarations and statements line by line from stdin,
//! on a terminal with prompts (`lumen> `, `....> ` while a construct continues), from a pipe
//! without. An input is evaluated once it is complete: the parser reports nothing that more
//! lines could fix (a missing `end`, an expression cut off at the end of the text, an open
//! string). Two blank lines in a row end a continued input as it is. Evaluation is in
//! `repl_session`. History is kept in memory (`:history`).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use lumen_syntax::codes;

use crate::ColorChoice;
use crate::repl_session::{Session, Step};

#[derive(Args, Debug)]
pub struct ReplArgs {
    /// When to colour diagnostics
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

const HELP: &str = "\
Enter declarations and statements; a construct opened with `cell`, `if`, `for`, ... continues
until its `end`. The value of an expression is shown with its type (nothing for null).
Declarations and `let` bindings persist; declaring a name again replaces it.

  :help            this text
  :quit            leave (also :q, :exit, or end of input)
  :type EXPR       the static type of EXPR
  :load FILE       compile FILE into the session and run its statements
  :reset           forget everything entered so far
  :history         list the inputs of this session

Two blank lines in a row end an unfinished input.";

/// Runs the loop until end of input, `:quit` or `exit(code)`; the exit status is 0 or `code`.
pub fn repl(args: &ReplArgs) -> u8 {
    let color = args.color.for_stderr();
    let interactive = std::io::stdin().is_terminal();
    let mut session = Session::new(color);
    let mut history: Vec<String> = Vec::new();
    if interactive {
        println!("Lumen {} (:help for help, :quit to leave)", env!("CARGO_PKG_VERSION"));
    }
    let mut buffer = String::new();
    let mut blanks = 0;
    loop {
        if interactive {
            print!("{}", if buffer.is_empty() { "lumen> " } else { "....> " });
            let _ = std::io::stdout().flush();
        }
        // Locked per line, so that a program reading stdin (`read_line()`) gets the next lines.
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        if matches!(read, Ok(0) | Err(_)) {
            if interactive {
                println!();
            }
            if !buffer.trim().is_empty()
                && let Step::Exit(code) = submit(&mut session, &mut history, &buffer)
            {
                return status(code);
            }
            return 0;
        }
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if buffer.is_empty() && line.trim_start().starts_with(':') {
            history.push(line.trim().to_owned());
            match command(line.trim(), &mut session, &history, color, interactive) {
                Some(code) => return code,
                None => continue,
            }
        }
        if line.trim().is_empty() {
            if buffer.is_empty() {
                continue;
            }
            blanks += 1;
        } else {
            blanks = 0;
        }
        buffer.push_str(line);
        buffer.push('\n');
        if blanks < 2 && incomplete(&buffer) {
            continue;
        }
        let input = std::mem::take(&mut buffer);
        blanks = 0;
        if let Step::Exit(code) = submit(&mut session, &mut history, &input) {
            return status(code);
        }
    }
}

fn submit(session: &mut Session, history: &mut Vec<String>, input: &str) -> Step {
    history.push(input.trim_end().to_owned());
    let step = session.eval(input);
    let _ = std::io::stdout().flush();
    step
}

/// The exit status for `exit(code)`, as `lumen run` maps it.
fn status(code: i32) -> u8 {
    u8::try_from(code.clamp(0, 255)).unwrap_or(1)
}

/// Runs a `:command`; `Some(status)` ends the session.
fn command(line: &str, session: &mut Session, history: &[String], color: bool, interactive: bool) -> Option<u8> {
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    match name {
        ":help" | ":h" | ":?" => println!("{HELP}"),
        ":quit" | ":q" | ":exit" => return Some(0),
        ":type" | ":t" if rest.is_empty() => eprintln!("error: `:type` needs an expression, e.g. `:type 1 + 2`"),
        ":type" | ":t" => session.type_of(rest),
        ":load" | ":l" if rest.is_empty() => eprintln!("error: `:load` needs a file name"),
        ":load" | ":l" => {
            if let Step::Exit(code) = session.load(rest) {
                return Some(status(code));
            }
        }
        ":reset" => {
            *session = Session::new(color);
            if interactive {
                println!("session cleared");
            }
        }
        ":history" => {
            // The `:history` line itself is the last entry.
            for (i, entry) in history[..history.len().saturating_sub(1)].iter().enumerate() {
                let mut lines = entry.lines();
                println!("{:>4}  {}", i + 1, lines.next().unwrap_or(""));
                for more in lines {
                    println!("      {more}");
                }
            }
        }
        _ => eprintln!("error: unknown command `{name}` (`:help` lists the commands)"),
    }
    let _ = std::io::stdout().flush();
    None
}

/// Whether more lines could complete the input: the parser's only complaints are about the end
/// of the text (a missing `end`, an unfinished expression, an unterminated string or block).
fn incomplete(text: &str) -> bool {
    let parse = lumen_syntax::parse_code(text);
    let end = text.trim_end().len();
    parse.diagnostics.iter().any(|d| {
        d.is_error()
            && (matches!(
                d.code,
                codes::MISSING_END
                    | codes::UNTERMINATED_STRING
                    | codes::UNTERMINATED_MARKDOWN_BLOCK
                    | codes::UNTERMINATED_INTERPOLATION
                    | codes::UNTERMINATED_ROLE_TEXT
            ) || d.message.contains("end of file")
                || d.primary_span().start as usize >= end)
    })
}

#[cfg(test)]
mod tests {
    use super::incomplete;

    #[test]
    fn open_constructs_are_incomplete() {
        for text in ["cell f() -> Int\n", "if true\n  print(1)\n", "let xs = [1,\n", "let x = 1 +\n", "match 3\n"] {
            assert!(incomplete(text), "{text:?}");
        }
    }

    #[test]
    fn finished_or_broken_inputs_are_complete() {
        for text in ["cell f() -> Int = 1\n", "if true\n  print(1)\nend\n", "let x = 1\n", "let = 5\n", "end\n"] {
            assert!(!incomplete(text), "{text:?}");
        }
    }
}
