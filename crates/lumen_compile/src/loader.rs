//! Finding, reading and parsing the modules of a program (LANGUAGE.md §8.3).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lumen_syntax::ast::{ItemKind, ModulePath};
use lumen_syntax::source::SourceFile;
use lumen_syntax::{Diagnostic, ParseOutput, Span};

pub const MISSING_MODULE: &str = "E0210";
pub const IMPORT_CYCLE: &str = "E0211";
pub const AMBIGUOUS_MODULE: &str = "E0212";
pub const UNREADABLE_MODULE: &str = "E0213";

/// One parsed module of the program.
pub struct LoadedModule {
    /// Dotted module path (`lib.strings`); the entry module is named after its file.
    pub name: String,
    pub file: SourceFile,
    pub parse: ParseOutput,
}

/// Every module of a program, the entry first, with loading errors by module index.
pub struct Loaded {
    pub modules: Vec<LoadedModule>,
    pub errors: Vec<(usize, Diagnostic)>,
}

const EXTENSIONS: &[&str] = &["lm", "lumen", "lm.md", "lumen.md"];

/// Loads the entry file and, transitively, every module it imports.
pub fn load(entry: &Path, display_path: &str) -> std::io::Result<Loaded> {
    let bytes = std::fs::read(entry)?;
    let mut loader =
        Loader { roots: roots_for(entry), modules: Vec::new(), by_path: HashMap::new(), errors: Vec::new() };
    let name = module_name_of(entry);
    let file = match SourceFile::new(display_path.to_string(), bytes.clone()) {
        Ok(file) => file,
        Err(diag) => {
            // Shown against a lossy decoding, identical up to the first bad byte.
            let file = SourceFile::new_lossy(display_path.to_string(), bytes);
            let empty = SourceFile::from_str(display_path.to_string(), "", lumen_syntax::source::SourceKind::Raw);
            let parse = lumen_syntax::parse_file(&empty);
            return Ok(Loaded { modules: vec![LoadedModule { name, file, parse }], errors: vec![(0, diag)] });
        }
    };
    let parse = lumen_syntax::parse_file(&file);
    let canonical = entry.canonicalize().unwrap_or_else(|_| entry.to_path_buf());
    loader.by_path.insert(canonical, 0);
    loader.modules.push(LoadedModule { name, file, parse });
    let mut stack = vec![0usize];
    loader.visit(0, &mut stack);
    Ok(Loaded { modules: loader.modules, errors: loader.errors })
}

struct Loader {
    roots: Vec<PathBuf>,
    modules: Vec<LoadedModule>,
    by_path: HashMap<PathBuf, usize>,
    errors: Vec<(usize, Diagnostic)>,
}

impl Loader {
    fn visit(&mut self, index: usize, stack: &mut Vec<usize>) {
        let imports: Vec<(ModulePath, Span)> = self.modules[index]
            .parse
            .module
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                ItemKind::Import(import) => Some((import.path.clone(), item.span)),
                _ => None,
            })
            .collect();
        for (path, span) in imports {
            if path.package.is_some() {
                self.errors.push((
                    index,
                    Diagnostic::error(MISSING_MODULE, "package imports are not supported yet", path.span)
                        .with_label("package module")
                        .with_help("vendor the package's modules into your project for now"),
                ));
                continue;
            }
            let dotted = path.segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(".");
            let target = match self.resolve(&dotted) {
                Ok(p) => p,
                Err(diag) => {
                    self.errors.push((index, diag.with_span(path.span)));
                    continue;
                }
            };
            let canonical = target.canonicalize().unwrap_or_else(|_| target.clone());
            if let Some(&existing) = self.by_path.get(&canonical) {
                if let Some(pos) = stack.iter().position(|&m| m == existing) {
                    let mut chain: Vec<&str> = stack[pos..].iter().map(|&m| self.modules[m].name.as_str()).collect();
                    chain.push(&self.modules[existing].name);
                    let mut names: Vec<&str> = stack[..pos].iter().map(|&m| self.modules[m].name.as_str()).collect();
                    names.extend(chain);
                    let text = names.join(" -> ");
                    self.errors.push((
                        index,
                        Diagnostic::error(IMPORT_CYCLE, format!("circular import: {text}"), span)
                            .with_label("this import closes the cycle")
                            .with_help("move the shared declarations into a module that both can import"),
                    ));
                }
                continue;
            }
            let display = target.to_string_lossy().into_owned();
            let file = match std::fs::read(&target) {
                Ok(bytes) => match SourceFile::new(display, bytes) {
                    Ok(file) => file,
                    Err(diag) => {
                        self.errors.push((index, diag.with_span(path.span)));
                        continue;
                    }
                },
                Err(e) => {
                    self.errors.push((
                        index,
                        Diagnostic::error(UNREADABLE_MODULE, format!("cannot read module `{dotted}`: {e}"), path.span),
                    ));
                    continue;
                }
            };
            let parse = lumen_syntax::parse_file(&file);
            let new_index = self.modules.len();
            self.by_path.insert(canonical, new_index);
            self.modules.push(LoadedModule { name: dotted, file, parse });
            stack.push(new_index);
            self.visit(new_index, stack);
            stack.pop();
        }
    }

    /// The file of module `a.b.c`: the first root holding any candidate wins.
    fn resolve(&self, dotted: &str) -> Result<PathBuf, Diagnostic> {
        let rel: PathBuf = dotted.split('.').collect();
        let mut searched = Vec::new();
        for root in &self.roots {
            let base = root.join(&rel);
            let mut found: Vec<PathBuf> = Vec::new();
            for ext in EXTENSIONS {
                let direct = PathBuf::from(format!("{}.{ext}", base.display()));
                searched.push(direct.clone());
                if direct.is_file() {
                    found.push(direct);
                }
            }
            for stem in ["mod", "main"] {
                for ext in EXTENSIONS {
                    let nested = base.join(format!("{stem}.{ext}"));
                    if nested.is_file() {
                        found.push(nested);
                    }
                }
            }
            match found.len() {
                0 => continue,
                1 => return Ok(found.remove(0)),
                _ => {
                    let list = found.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
                    return Err(Diagnostic::error(
                        AMBIGUOUS_MODULE,
                        format!("ambiguous module path `{dotted}`: {list}"),
                        Span::DUMMY,
                    )
                    .with_help("keep only one file for this module"));
                }
            }
        }
        let shown = searched.iter().take(8).map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        Err(Diagnostic::error(MISSING_MODULE, format!("module `{dotted}` not found"), Span::DUMMY)
            .with_label("no such module")
            .with_help(format!("searched: {shown}")))
    }
}

/// Roots searched for modules: the entry's directory, then `<project>/src` and `<project>`.
fn roots_for(entry: &Path) -> Vec<PathBuf> {
    let dir = entry.parent().map(Path::to_path_buf).unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir };
    let mut roots = vec![dir.clone()];
    let absolute = dir.canonicalize().unwrap_or(dir);
    let mut cur = Some(absolute.as_path());
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

fn module_name_of(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for ext in [".lumen.md", ".lm.md", ".lumen", ".lm"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem.to_string();
        }
    }
    name
}

trait WithSpan {
    fn with_span(self, span: Span) -> Self;
}

impl WithSpan for Diagnostic {
    fn with_span(mut self, span: Span) -> Diagnostic {
        if let Some(label) = self.labels.first_mut() {
            label.span = span;
        }
        self
    }
}
