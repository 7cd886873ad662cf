//! Analysing an open document: parse it from memory, load the modules it imports from disk,
//! type-check them together, and turn the diagnostics of the document into LSP diagnostics.

use std::path::{Path, PathBuf};

use lsp_types::{DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri};
use lumen_syntax::ast::{ImportDecl, ItemKind, Module};
use lumen_syntax::source::{SourceFile, SourceKind};
use lumen_syntax::{Diagnostic, ParseOutput, Severity, Span};

use crate::text::{LineIndex, path_to_uri};

/// The code `lumen check` uses for an import whose module cannot be found.
const MISSING_MODULE: &str = "E0210";
/// Imports are followed this deep at most, so a cycle cannot loop.
const MAX_MODULES: usize = 256;

/// One parsed file: the open document or a module it imports.
pub struct Parsed {
    /// Dotted module name (empty for the document itself).
    pub name: String,
    pub uri: Option<Uri>,
    pub file: SourceFile,
    pub lines: LineIndex,
    pub parse: ParseOutput,
}

impl Parsed {
    pub fn new(name: String, uri: Option<Uri>, file: SourceFile) -> Parsed {
        let parse = lumen_syntax::parse_file(&file);
        let lines = LineIndex::new(&file.text);
        Parsed { name, uri, file, lines, parse }
    }

    pub fn module(&self) -> &Module {
        &self.parse.module
    }

    pub fn range(&self, span: Span) -> lsp_types::Range {
        self.lines.range(&self.file.text, span)
    }
}

/// A document with the modules it imports (transitively), first the document.
pub struct Analysis {
    pub modules: Vec<Parsed>,
    pub diagnostics: Vec<lsp_types::Diagnostic>,
}

impl Analysis {
    pub fn doc(&self) -> &Parsed {
        &self.modules[0]
    }

    /// The module an import names, when it was found.
    pub fn imported(&self, import: &ImportDecl) -> Option<&Parsed> {
        let dotted = dotted(import);
        self.modules.iter().skip(1).find(|m| m.name == dotted)
    }
}

pub fn dotted(import: &ImportDecl) -> String {
    import.path.segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".")
}

/// Analyses `text`, the content of the document at `uri`.
pub fn analyse(uri: &Uri, text: &str) -> Analysis {
    let path = crate::text::uri_to_path(uri);
    let shown = path.as_ref().map_or_else(|| uri.as_str().to_owned(), |p| p.display().to_string());
    let kind = SourceFile::kind_for_path(&shown).unwrap_or(SourceKind::Raw);
    let file = SourceFile::from_str(shown, text, kind);
    let doc = Parsed::new(String::new(), Some(uri.clone()), file);
    let mut modules = vec![doc];
    let mut found: Vec<(usize, Diagnostic)> = Vec::new();
    let roots = path.as_deref().map(roots_for).unwrap_or_default();
    let mut next = 0;
    while next < modules.len() && modules.len() < MAX_MODULES {
        let imports: Vec<ImportDecl> = modules[next]
            .module()
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                ItemKind::Import(import) if import.path.package.is_none() => Some(import.clone()),
                _ => None,
            })
            .collect();
        for import in imports {
            let name = dotted(&import);
            if modules.iter().any(|m| m.name == name) {
                continue;
            }
            match resolve(&roots, &name).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
                Some((p, bytes)) => {
                    let file = SourceFile::new_lossy(p.display().to_string(), bytes);
                    let uri = path_to_uri(&p);
                    modules.push(Parsed::new(name, uri, file));
                }
                None if next == 0 => found.push((
                    0,
                    Diagnostic::error(MISSING_MODULE, format!("module `{name}` not found"), import.path.span)
                        .with_label("no such module"),
                )),
                None => {}
            }
        }
        next += 1;
    }
    for (i, m) in modules.iter().enumerate() {
        found.extend(m.parse.diagnostics.iter().cloned().map(|d| (i, d)));
    }
    let broken_imports = broken_imports(&modules);
    // Like `lumen check`: types are checked only when every module parsed.
    if !found.iter().any(|(_, d)| d.is_error()) {
        let inputs: Vec<lumen_check::ModuleInput<'_>> =
            modules.iter().map(|m| lumen_check::ModuleInput { name: &m.name, module: m.module() }).collect();
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| lumen_check::check_program(&inputs)));
        if let Ok(checked) = checked {
            for (i, diags) in checked.into_iter().enumerate() {
                found.extend(diags.into_iter().map(|d| (i, d)));
            }
        }
    }
    let mut diagnostics: Vec<lsp_types::Diagnostic> =
        found.iter().filter(|(i, _)| *i == 0).map(|(_, d)| to_lsp(&modules[0], d)).collect();
    diagnostics.extend(broken_imports);
    Analysis { modules, diagnostics }
}

/// Syntax errors in imported modules, reported on the document's imports (their own files are
/// not the document, but nothing is type-checked until they parse).
fn broken_imports(modules: &[Parsed]) -> Vec<lsp_types::Diagnostic> {
    let doc = &modules[0];
    let imports: Vec<(String, Span)> = doc
        .module()
        .items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Import(import) => Some((dotted(import), import.path.span)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for m in modules.iter().skip(1) {
        let Some(first) = m.parse.diagnostics.iter().find(|d| d.is_error()) else { continue };
        // Transitive imports are blamed on the first import of the document.
        let span = imports.iter().find(|(n, _)| *n == m.name).or(imports.first()).map_or(Span::DUMMY, |(_, s)| *s);
        let related = m.uri.clone().map(|uri| {
            vec![DiagnosticRelatedInformation {
                location: Location { uri, range: m.range(first.primary_span()) },
                message: first.message.clone(),
            }]
        });
        out.push(lsp_types::Diagnostic {
            range: doc.range(span),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(first.code.to_owned())),
            source: Some("lumen".to_owned()),
            message: format!("module `{}` has errors: {}", m.name, first.message),
            related_information: related,
            ..Default::default()
        });
    }
    out
}

fn to_lsp(doc: &Parsed, d: &Diagnostic) -> lsp_types::Diagnostic {
    let primary = d.labels.iter().find(|l| l.primary);
    let mut message = d.message.clone();
    if let Some(label) = primary.filter(|l| !l.message.is_empty()) {
        message.push_str(&format!("\n{}", label.message));
    }
    for help in &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = match &doc.uri {
        Some(uri) => d
            .labels
            .iter()
            .filter(|l| !l.primary)
            .map(|l| DiagnosticRelatedInformation {
                location: Location { uri: uri.clone(), range: doc.range(l.span) },
                message: if l.message.is_empty() { d.message.clone() } else { l.message.clone() },
            })
            .collect(),
        None => Vec::new(),
    };
    lsp_types::Diagnostic {
        range: doc.range(d.primary_span()),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_owned())),
        source: Some("lumen".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

const EXTENSIONS: &[&str] = &["lm", "lumen", "lm.md", "lumen.md"];

/// Roots searched for modules, as `lumen check` searches them: the file's directory, then
/// `<project>/src` and `<project>` of the nearest enclosing `lumen.toml`.
fn roots_for(file: &Path) -> Vec<PathBuf> {
    let Some(dir) = file.parent() else { return Vec::new() };
    let mut roots = vec![dir.to_path_buf()];
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.join("lumen.toml").is_file() {
            roots.push(d.join("src"));
            roots.push(d.to_path_buf());
            break;
        }
        cur = d.parent();
    }
    roots
}

/// The file of module `a.b.c`: the first root holding a candidate wins.
pub fn resolve(roots: &[PathBuf], dotted: &str) -> Option<PathBuf> {
    let rel: PathBuf = dotted.split('.').collect();
    for root in roots {
        let base = root.join(&rel);
        for ext in EXTENSIONS {
            let direct = PathBuf::from(format!("{}.{ext}", base.display()));
            if direct.is_file() {
                return Some(direct);
            }
        }
        for stem in ["mod", "main"] {
            for ext in EXTENSIONS {
                let nested = base.join(format!("{stem}.{ext}"));
                if nested.is_file() {
                    return Some(nested);
                }
            }
        }
    }
    None
}
