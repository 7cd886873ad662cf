use super::BuiltinDef;
pub(super) const DEFS: &[BuiltinDef] = &[];
