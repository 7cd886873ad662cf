//! Role blocks and prompt contexts (LANGUAGE.md 7.4): `role NAME: text` is a `Message`; as a
//! statement it appends to the cell invocation's prompt context, which starts with the enclosing
//! agent's roles; tool calls made directly in the cell receive the context plus their own role
//! arguments as `messages`.

use lumen_syntax::ast::{Block, CellBody, CellDecl, ExprKind, RoleBlock, RoleContent, StmtKind};

use super::{Compiler, Global};
use crate::bytecode::{Instr, Reg};

impl<'a> Compiler<'a> {
    /// `role NAME: text` as a value: `Message(role: "NAME", content: text)`.
    pub(crate) fn role_message(&mut self, block: &'a RoleBlock, dst: Reg) {
        let start = self.alloc_n(2);
        let role = self.str_const(&block.role.name);
        self.emit(Instr::LoadConst(start, role));
        match &block.content {
            RoleContent::Text(segments) => self.string(segments, start + 1),
            RoleContent::Expr(e) => self.expr_to(e, start + 1),
        }
        match self.globals.get("Message").cloned() {
            Some(Global::Record(ty)) => {
                self.emit(Instr::MakeRecord { dst, ty, start });
            }
            _ => self.not_yet(dst, "the predeclared record `Message` is missing"),
        }
    }

    /// At the start of a cell body: a prompt context when the cell has role statements or the
    /// enclosing agent declares roles.
    pub(crate) fn begin_prompt(&mut self, cell: &'a CellDecl) {
        let has_roles = match &cell.body {
            Some(CellBody::Block(block)) => block_has_role(block),
            _ => false,
        };
        let agent_roles = self.agent_roles.clone();
        if !has_roles && agent_roles.is_empty() {
            return;
        }
        let prompt = self.declare_local("<prompt>", true);
        self.emit(Instr::MakeList { dst: prompt, start: prompt, count: 0 });
        for role in agent_roles {
            let mark = self.mark();
            let m = self.alloc();
            self.role_message(role, m);
            self.emit(Instr::ListPush(prompt, m));
            self.release(mark);
        }
        self.f().prompt = Some(prompt);
    }

    /// A role statement: appends to the prompt context (evaluated only, outside one).
    pub(crate) fn role_statement(&mut self, block: &'a RoleBlock) {
        let mark = self.mark();
        let m = self.alloc();
        self.role_message(block, m);
        if let Some(prompt) = self.f().prompt {
            self.emit(Instr::ListPush(prompt, m));
        }
        self.release(mark);
    }

    /// The `messages` of a tool call into `dst`: the prompt context and the call's role
    /// arguments. `false` when there are none.
    pub(crate) fn call_messages(&mut self, roles: &[&'a RoleBlock], dst: Reg) -> bool {
        let prompt = self.f().prompt;
        if prompt.is_none() && roles.is_empty() {
            return false;
        }
        match prompt {
            Some(p) => {
                self.emit(Instr::Move(dst, p));
            }
            None => {
                self.emit(Instr::MakeList { dst, start: dst, count: 0 });
            }
        }
        for role in roles {
            let mark = self.mark();
            let m = self.alloc();
            self.role_message(role, m);
            self.emit(Instr::ListPush(dst, m));
            self.release(mark);
        }
        true
    }
}

/// Whether a block has a role statement at its top level.
fn block_has_role(block: &Block) -> bool {
    block.stmts.iter().any(|s| matches!(&s.kind, StmtKind::Expr(e) if matches!(e.kind, ExprKind::Role(_))))
}
