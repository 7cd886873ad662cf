//! Tokens produced by the lexer.

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// Indentation (column of the first token, spaces count 1 and tabs 2) of the line this token
    /// starts on. Tokens after a multi-line string keep the indentation of the string's line.
    pub indent: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// Integer magnitude. `9223372036854775808` (2^63) is lexed so that the parser can accept it as
    /// the operand of unary minus; every larger literal is a lexical error.
    Int(u64),
    Float(f64),
    /// `"..."` or `"""..."""`, escapes and triple-quote indentation already processed.
    Str(Vec<StrPart>),
    /// `r"..."` or `r"""..."""`.
    RawStr(String),
    /// `b"cafe"`.
    Bytes(Vec<u8>),
    /// The raw text of a role block after `role NAME :` (one line, or several closed by `end`).
    RoleText(Vec<StrPart>),
    Ident(String),
    Kw(Keyword),

    Plus,
    Minus,
    Star,
    Slash,
    SlashSlash,
    Percent,
    StarStar,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Arrow,
    FatArrow,
    Dot,
    Comma,
    Colon,
    Semi,
    At,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    SlashSlashEq,
    PercentEq,
    StarStarEq,
    AmpEq,
    PipeEq,
    CaretEq,
    ShlEq,
    ShrEq,
    Amp,
    Pipe,
    Caret,
    Tilde,
    Shl,
    Shr,
    PlusPlus,
    PipeGt,
    TildeGt,
    QuestionQuestion,
    QuestionDot,
    QuestionBracket,
    Question,
    Bang,
    DotDot,
    DotDotEq,
    Ellipsis,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,

    /// End of a logical line (a physical newline not removed by `\` continuation, or `;`).
    /// Emitted once per line that holds tokens; blank and comment-only lines produce none.
    Newline,
    Eof,
}

/// One piece of a string literal or role text.
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    /// `{expr}` or `{expr:spec}`. `tokens` is the lexed expression, ending with `Eof`.
    Interp {
        tokens: Vec<Token>,
        spec: Option<FormatSpec>,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Keyword {
    And,
    As,
    Async,
    Await,
    Break,
    Cell,
    Comptime,
    Const,
    Continue,
    Defer,
    Else,
    Emit,
    End,
    Enum,
    Err,
    Expect,
    Extern,
    False,
    Fn,
    For,
    Grant,
    Halt,
    Handle,
    If,
    Impl,
    Import,
    In,
    Is,
    Let,
    Loop,
    Macro,
    Match,
    Mut,
    Not,
    Null,
    Ok,
    Or,
    Perform,
    Pub,
    Record,
    Resume,
    Return,
    Role,
    SelfKw,
    Then,
    Trait,
    True,
    Try,
    Type,
    Use,
    When,
    Where,
    While,
    With,
    Yield,
}

impl Keyword {
    pub const ALL: &'static [Keyword] = &[
        Keyword::And,
        Keyword::As,
        Keyword::Async,
        Keyword::Await,
        Keyword::Break,
        Keyword::Cell,
        Keyword::Comptime,
        Keyword::Const,
        Keyword::Continue,
        Keyword::Defer,
        Keyword::Else,
        Keyword::Emit,
        Keyword::End,
        Keyword::Enum,
        Keyword::Err,
        Keyword::Expect,
        Keyword::Extern,
        Keyword::False,
        Keyword::Fn,
        Keyword::For,
        Keyword::Grant,
        Keyword::Halt,
        Keyword::Handle,
        Keyword::If,
        Keyword::Impl,
        Keyword::Import,
        Keyword::In,
        Keyword::Is,
        Keyword::Let,
        Keyword::Loop,
        Keyword::Macro,
        Keyword::Match,
        Keyword::Mut,
        Keyword::Not,
        Keyword::Null,
        Keyword::Ok,
        Keyword::Or,
        Keyword::Perform,
        Keyword::Pub,
        Keyword::Record,
        Keyword::Resume,
        Keyword::Return,
        Keyword::Role,
        Keyword::SelfKw,
        Keyword::Then,
        Keyword::Trait,
        Keyword::True,
        Keyword::Try,
        Keyword::Type,
        Keyword::Use,
        Keyword::When,
        Keyword::Where,
        Keyword::While,
        Keyword::With,
        Keyword::Yield,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::And => "and",
            Keyword::As => "as",
            Keyword::Async => "async",
            Keyword::Await => "await",
            Keyword::Break => "break",
            Keyword::Cell => "cell",
            Keyword::Comptime => "comptime",
            Keyword::Const => "const",
            Keyword::Continue => "continue",
            Keyword::Defer => "defer",
            Keyword::Else => "else",
            Keyword::Emit => "emit",
            Keyword::End => "end",
            Keyword::Enum => "enum",
            Keyword::Err => "err",
            Keyword::Expect => "expect",
            Keyword::Extern => "extern",
            Keyword::False => "false",
            Keyword::Fn => "fn",
            Keyword::For => "for",
            Keyword::Grant => "grant",
            Keyword::Halt => "halt",
            Keyword::Handle => "handle",
            Keyword::If => "if",
            Keyword::Impl => "impl",
            Keyword::Import => "import",
            Keyword::In => "in",
            Keyword::Is => "is",
            Keyword::Let => "let",
            Keyword::Loop => "loop",
            Keyword::Macro => "macro",
            Keyword::Match => "match",
            Keyword::Mut => "mut",
            Keyword::Not => "not",
            Keyword::Null => "null",
            Keyword::Ok => "ok",
            Keyword::Or => "or",
            Keyword::Perform => "perform",
            Keyword::Pub => "pub",
            Keyword::Record => "record",
            Keyword::Resume => "resume",
            Keyword::Return => "return",
            Keyword::Role => "role",
            Keyword::SelfKw => "self",
            Keyword::Then => "then",
            Keyword::Trait => "trait",
            Keyword::True => "true",
            Keyword::Try => "try",
            Keyword::Type => "type",
            Keyword::Use => "use",
            Keyword::When => "when",
            Keyword::Where => "where",
            Keyword::While => "while",
            Keyword::With => "with",
            Keyword::Yield => "yield",
        }
    }

    /// `ALL` is in alphabetical order of the keywords' text (a test checks it), so the lexer's
    /// lookup of every identifier is a binary search.
    pub fn from_word(s: &str) -> Option<Keyword> {
        Keyword::ALL.binary_search_by(|k| k.as_str().cmp(s)).ok().map(|i| Keyword::ALL[i])
    }
}

/// A parsed `{value:spec}` format specification (LANGUAGE.md 2.5, 5.11).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FormatSpec {
    pub fill: Option<char>,
    pub align: Option<Align>,
    pub sign: Option<Sign>,
    pub alternate: bool,
    pub zero: bool,
    pub width: Option<u32>,
    pub precision: Option<u32>,
    pub ty: Option<FormatType>,
    /// The spec as written, without the leading `:`.
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Align {
    Left,
    Right,
    Center,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Sign {
    Plus,
    Minus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum FormatType {
    Decimal,
    Fixed,
    Exp,
    ExpUpper,
    Hex,
    HexUpper,
    Octal,
    Binary,
    Str,
}

impl TokenKind {
    /// How the token is shown in diagnostics ("expected `end`, found identifier `x`").
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Int(n) => format!("integer `{n}`"),
            TokenKind::Float(f) => format!("float `{f}`"),
            TokenKind::Str(_) | TokenKind::RawStr(_) => "string literal".to_string(),
            TokenKind::Bytes(_) => "bytes literal".to_string(),
            TokenKind::RoleText(_) => "role text".to_string(),
            TokenKind::Ident(name) => format!("identifier `{name}`"),
            TokenKind::Kw(k) => format!("keyword `{}`", k.as_str()),
            TokenKind::Newline => "end of line".to_string(),
            TokenKind::Eof => "end of file".to_string(),
            other => format!("`{}`", other.punct_str().unwrap_or("?")),
        }
    }

    /// The source spelling of a punctuation token.
    pub fn punct_str(&self) -> Option<&'static str> {
        Some(match self {
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Star => "*",
            TokenKind::Slash => "/",
            TokenKind::SlashSlash => "//",
            TokenKind::Percent => "%",
            TokenKind::StarStar => "**",
            TokenKind::EqEq => "==",
            TokenKind::NotEq => "!=",
            TokenKind::Lt => "<",
            TokenKind::Le => "<=",
            TokenKind::Gt => ">",
            TokenKind::Ge => ">=",
            TokenKind::Eq => "=",
            TokenKind::Arrow => "->",
            TokenKind::FatArrow => "=>",
            TokenKind::Dot => ".",
            TokenKind::Comma => ",",
            TokenKind::Colon => ":",
            TokenKind::Semi => ";",
            TokenKind::At => "@",
            TokenKind::PlusEq => "+=",
            TokenKind::MinusEq => "-=",
            TokenKind::StarEq => "*=",
            TokenKind::SlashEq => "/=",
            TokenKind::SlashSlashEq => "//=",
            TokenKind::PercentEq => "%=",
            TokenKind::StarStarEq => "**=",
            TokenKind::AmpEq => "&=",
            TokenKind::PipeEq => "|=",
            TokenKind::CaretEq => "^=",
            TokenKind::ShlEq => "<<=",
            TokenKind::ShrEq => ">>=",
            TokenKind::Amp => "&",
            TokenKind::Pipe => "|",
            TokenKind::Caret => "^",
            TokenKind::Tilde => "~",
            TokenKind::Shl => "<<",
            TokenKind::Shr => ">>",
            TokenKind::PlusPlus => "++",
            TokenKind::PipeGt => "|>",
            TokenKind::TildeGt => "~>",
            TokenKind::QuestionQuestion => "??",
            TokenKind::QuestionDot => "?.",
            TokenKind::QuestionBracket => "?[",
            TokenKind::Question => "?",
            TokenKind::Bang => "!",
            TokenKind::DotDot => "..",
            TokenKind::DotDotEq => "..=",
            TokenKind::Ellipsis => "...",
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::LBracket => "[",
            TokenKind::RBracket => "]",
            TokenKind::LBrace => "{",
            TokenKind::RBrace => "}",
            _ => return None,
        })
    }
}

#[cfg(test)]
mod keyword_tests {
    use super::Keyword;

    #[test]
    fn keywords_are_sorted_for_lookup() {
        for pair in Keyword::ALL.windows(2) {
            assert!(pair[0].as_str() < pair[1].as_str(), "{} before {}", pair[0].as_str(), pair[1].as_str());
        }
        for &k in Keyword::ALL {
            assert_eq!(Keyword::from_word(k.as_str()), Some(k));
        }
        assert_eq!(Keyword::from_word("cells"), None);
        assert_eq!(Keyword::from_word(""), None);
    }
}
