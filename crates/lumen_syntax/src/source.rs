//! Source files: raw and markdown modes, line/column lookup. Implementation in progress.
