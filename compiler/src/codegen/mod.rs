//! The WebAssembly back end: checked IR to one self-contained module (no imports).
//!
//! Layout of the output module, in function-index order: the prelude functions the generated code
//! reaches (copied from `tenet_stdlib::prelude` with their indices remapped), then one function per
//! recommendation for each of condition, remediation and fix, then `$run` and the exports. Static
//! data (literals, keys, pattern tables, texts) is interned into one data segment. The metadata
//! travels as JSON in the `tenet.metadata` custom section. `docs/abi.md` specifies the result.

mod prelude;

use crate::ir::*;
use crate::syntax::ast::Quant;
use prelude::Prelude;
use std::collections::HashMap;
use tenet_stdlib::abi::{self, Metadata};
use tenet_stdlib::prelude::{self as pl, ADDR_FALSE, ADDR_NULL, ADDR_TRUE, DATA_START};
use tenet_stdlib::value;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, CustomSection, DataSection, ExportKind, ExportSection,
    Function, FunctionSection, GlobalSection, GlobalType, Instruction as I, MemArg, MemorySection,
    MemoryType, Module, TypeSection, ValType,
};

/// Marks a call target as a generated function (the low bits are its index among them).
const GEN: u32 = 1 << 30;

/// Errors of code generation (internal invariants; user errors are caught by the checker).
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The prelude could not be read or lacks a function.
    #[error("internal error in the prelude: {0}")]
    Prelude(String),
    /// The generated module failed validation.
    #[error("internal error: the generated module is invalid: {0}")]
    Invalid(String),
}

/// Interned static data.
#[derive(Default)]
struct Data {
    bytes: Vec<u8>,
    seen: HashMap<Vec<u8>, u32>,
}

impl Data {
    fn intern(&mut self, b: &[u8]) -> u32 {
        if let Some(a) = self.seen.get(b) {
            return *a;
        }
        let addr = DATA_START + self.bytes.len() as u32;
        self.bytes.extend_from_slice(b);
        self.seen.insert(b.to_vec(), addr);
        addr
    }

    fn value(&mut self, v: &serde_json::Value) -> i32 {
        match v {
            serde_json::Value::Bool(true) => ADDR_TRUE,
            serde_json::Value::Bool(false) => ADDR_FALSE,
            serde_json::Value::Null => ADDR_NULL,
            _ => self.intern(&value::to_bytes(v)) as i32,
        }
    }

    fn string(&mut self, s: &str) -> i32 {
        let mut b = Vec::new();
        value::encode_str(s, &mut b);
        self.intern(&b) as i32
    }
}

struct Gen<'p> {
    p: &'p Program,
    prelude: Prelude<'static>,
    used: Vec<bool>,
    data: Data,
    funcs: Vec<GenFunc>,
    pattern_addr: Vec<i32>,
    /// Applicability tests shared by recommendations, computed once per evaluation into globals
    /// that follow the prelude's.
    selectors: Vec<Selector>,
}

/// One applicability test on the input's provider or type.
#[derive(Clone, PartialEq, Eq)]
enum Selector {
    /// The provider equals this (ASCII case-insensitive).
    Provider(String),
    /// The type equals this (ASCII case-insensitive).
    Type(String),
    /// The type matches pattern number `n`.
    Glob(usize),
}

/// A generated function: name, signature, locals and body.
struct GenFunc {
    name: String,
    params: Vec<ValType>,
    results: Vec<ValType>,
    locals: Vec<ValType>,
    body: Vec<I<'static>>,
}

/// Builds one generated function.
struct Fb {
    nparams: u32,
    locals: Vec<ValType>,
    code: Vec<I<'static>>,
    vars: HashMap<VarId, (u32, u32)>,
    scope: Vec<VarId>,
    reason: Option<u32>,
}

impl Fb {
    fn new(nparams: u32) -> Fb {
        Fb {
            nparams,
            locals: Vec::new(),
            code: Vec::new(),
            vars: HashMap::new(),
            scope: Vec::new(),
            reason: None,
        }
    }

    fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        self.nparams + self.locals.len() as u32 - 1
    }

    fn i(&mut self, ins: I<'static>) {
        self.code.push(ins);
    }

    fn c(&mut self, n: i32) {
        self.code.push(I::I32Const(n));
    }

    fn get(&mut self, l: u32) {
        self.code.push(I::LocalGet(l));
    }

    fn set(&mut self, l: u32) {
        self.code.push(I::LocalSet(l));
    }
}

fn mem(offset: u64) -> MemArg {
    MemArg {
        offset,
        align: 0,
        memory_index: 0,
    }
}

const RESULT_I32: BlockType = BlockType::Result(ValType::I32);

impl Gen<'_> {
    /// A call to a prelude function by name.
    fn call(&mut self, f: &mut Fb, name: &str) {
        match self.prelude.index(name) {
            Some(i) => {
                self.mark(i);
                f.i(I::Call(i));
            }
            None => f.i(I::Unreachable),
        }
    }

    fn mark(&mut self, i: u32) {
        let mut stack = vec![i];
        while let Some(x) = stack.pop() {
            if let Some(u) = self.used.get_mut(x as usize) {
                if !*u {
                    *u = true;
                    stack.extend(self.prelude.callees(x));
                }
            }
        }
    }

    fn leaf(&mut self, f: &mut Fb, clause: u32, t: u32, subject: Option<u32>) {
        f.c(clause as i32);
        f.get(t);
        match subject {
            Some(s) => f.get(s),
            None => f.c(0),
        }
        let scope = f.scope.clone();
        f.c(scope.len() as i32);
        self.call(f, "leaf");
        if scope.is_empty() {
            f.i(I::Drop);
            return;
        }
        let r = f.local(ValType::I32);
        f.set(r);
        for (k, var) in scope.iter().enumerate() {
            let (ptr, idx) = f.vars.get(var).copied().unwrap_or((0, 0));
            let at = 16 + 12 * k as u64;
            f.get(r);
            f.c(*var as i32);
            f.i(I::I32Store(mem(at)));
            f.get(r);
            f.get(idx);
            f.i(I::I32Store(mem(at + 4)));
            f.get(r);
            f.get(ptr);
            f.i(I::I32Store(mem(at + 8)));
        }
    }

    /// Emits a value node: leaves an i32 address (0 = absent).
    fn val(&mut self, f: &mut Fb, n: &Node) {
        match &n.kind {
            Kind::Lit(v) => {
                let a = self.data.value(v);
                f.c(a);
            }
            Kind::Root => f.get(0),
            Kind::Var(id) => {
                let l = f.vars.get(id).map_or(0, |x| x.0);
                if f.vars.contains_key(id) {
                    f.get(l);
                } else {
                    f.c(0);
                }
            }
            Kind::Bound(ids) => {
                let Some(r) = f.reason else {
                    f.c(0);
                    return;
                };
                let t = f.local(ValType::I32);
                f.i(I::Block(RESULT_I32));
                for (k, id) in ids.iter().enumerate() {
                    f.get(r);
                    f.c(*id as i32);
                    self.call(f, "rec_var");
                    if k + 1 < ids.len() {
                        f.i(I::LocalTee(t));
                        f.get(t);
                        f.i(I::BrIf(0));
                        f.i(I::Drop);
                    }
                }
                f.i(I::End);
            }
            Kind::Get(b, k) => {
                self.val(f, b);
                let a = self.data.intern(k.as_bytes());
                f.c(a as i32);
                f.c(k.len() as i32);
                self.call(f, "get");
            }
            Kind::Index(b, i) => {
                self.val(f, b);
                f.c(*i as i32);
                self.call(f, "index");
            }
            Kind::GetDyn(b, k) => {
                self.val(f, b);
                self.val(f, k);
                self.call(f, "get_dyn");
            }
            Kind::List(items) => {
                let v = f.local(ValType::I32);
                self.call(f, "vec_new");
                f.set(v);
                for item in items {
                    f.get(v);
                    self.val(f, item);
                    self.call(f, "vec_push");
                }
                f.get(v);
                self.call(f, "vec_array");
            }
            Kind::Call {
                f: func,
                args,
                pattern,
                ..
            } => {
                for (i, a) in args.iter().enumerate() {
                    if pattern.is_some() && Some(i) == func.literal {
                        let addr = pattern
                            .and_then(|p| self.pattern_addr.get(p).copied())
                            .unwrap_or(0);
                        f.c(addr);
                    } else {
                        self.val(f, a);
                    }
                }
                self.call(f, func.wasm);
                if func.ret == tenet_stdlib::Ty::Bool {
                    self.call(f, "tri_val");
                }
            }
            Kind::Default(a, b) => {
                let t = f.local(ValType::I32);
                self.val(f, a);
                f.i(I::LocalTee(t));
                f.i(I::I32Eqz);
                f.i(I::If(RESULT_I32));
                self.val(f, b);
                f.i(I::Else);
                f.get(t);
                f.i(I::End);
            }
            Kind::Quant {
                kind: Quant::Count, ..
            } => self.quant(f, n),
            // A condition used as a value (`x ?? a > b`): its truth as a boolean value.
            Kind::ToVal(x) => {
                self.tri(f, x);
                self.call(f, "tri_val");
            }
            _ => {
                self.tri(f, n);
                self.call(f, "tri_val");
            }
        }
    }

    fn val_local(&mut self, f: &mut Fb, n: &Node) -> u32 {
        let l = f.local(ValType::I32);
        self.val(f, n);
        f.set(l);
        l
    }

    /// Emits a boolean node: leaves 0, 1 or 2.
    fn tri(&mut self, f: &mut Fb, n: &Node) {
        match &n.kind {
            Kind::Lit(serde_json::Value::Bool(b)) => f.c(i32::from(*b)),
            Kind::Cmp(op, a, b, c) => {
                let la = self.val_local(f, a);
                let lb = self.val_local(f, b);
                f.get(la);
                f.get(lb);
                match op {
                    CmpOp::Eq => self.call(f, "op_eq"),
                    CmpOp::Ne => self.call(f, "op_ne"),
                    other => {
                        f.c(match other {
                            CmpOp::Lt => 0,
                            CmpOp::Le => 1,
                            CmpOp::Gt => 2,
                            _ => 3,
                        });
                        self.call(f, "op_ord");
                    }
                }
                let t = f.local(ValType::I32);
                f.set(t);
                let s = if matches!(a.kind, Kind::Lit(_)) {
                    lb
                } else {
                    la
                };
                self.leaf(f, *c, t, Some(s));
                f.get(t);
            }
            Kind::In(a, b, neg, c) => {
                let la = self.val_local(f, a);
                let lb = self.val_local(f, b);
                f.get(la);
                f.get(lb);
                self.call(f, "op_in");
                let t = f.local(ValType::I32);
                f.set(t);
                if *neg {
                    self.negate(f, t);
                    f.set(t);
                }
                let s = if matches!(a.kind, Kind::Lit(_)) {
                    lb
                } else {
                    la
                };
                self.leaf(f, *c, t, Some(s));
                f.get(t);
            }
            Kind::And(items) | Kind::Or(items) => {
                let stop = i32::from(!matches!(n.kind, Kind::And(_)));
                let (t, u, s) = (
                    f.local(ValType::I32),
                    f.local(ValType::I32),
                    f.local(ValType::I32),
                );
                // Locals keep their values across loop iterations: reset the unknown flag.
                f.c(0);
                f.set(u);
                f.i(I::Block(RESULT_I32));
                for item in items {
                    self.tri(f, item);
                    f.set(t);
                    self.exit_if(f, t, stop, stop, 1);
                    self.remember_unknown(f, t, u, s);
                }
                f.get(u);
                f.i(I::If(RESULT_I32));
                f.get(s);
                f.i(I::GlobalSet(pl::G_REASON));
                f.c(2);
                f.i(I::Else);
                f.c(1 - stop);
                f.i(I::End);
                f.i(I::End);
            }
            Kind::Not(x) => {
                let t = f.local(ValType::I32);
                self.tri(f, x);
                f.set(t);
                self.negate(f, t);
            }
            Kind::Truthy(v, c) => {
                let x = self.val_local(f, v);
                f.get(x);
                self.call(f, "truthy");
                let t = f.local(ValType::I32);
                f.set(t);
                self.leaf(f, *c, t, Some(x));
                f.get(t);
            }
            Kind::Exists(v, neg, c) => {
                let x = self.val_local(f, v);
                f.get(x);
                f.c(0);
                f.i(if *neg { I::I32Eq } else { I::I32Ne });
                let t = f.local(ValType::I32);
                f.set(t);
                self.leaf(f, *c, t, Some(x));
                f.get(t);
            }
            Kind::IsUnknown(v, c) => {
                let x = self.val_local(f, v);
                f.get(x);
                self.call(f, "is_unknown");
                let t = f.local(ValType::I32);
                f.set(t);
                self.leaf(f, *c, t, Some(x));
                f.get(t);
            }
            Kind::Call {
                f: func,
                args,
                pattern,
                clause,
            } => {
                let mut first = None;
                let mut locals = Vec::new();
                for (i, a) in args.iter().enumerate() {
                    if pattern.is_some() && Some(i) == func.literal {
                        locals.push(None);
                    } else {
                        let l = self.val_local(f, a);
                        first.get_or_insert(l);
                        locals.push(Some(l));
                    }
                }
                for l in locals {
                    match l {
                        Some(l) => f.get(l),
                        None => {
                            let addr = pattern
                                .and_then(|p| self.pattern_addr.get(p).copied())
                                .unwrap_or(0);
                            f.c(addr);
                        }
                    }
                }
                self.call(f, func.wasm);
                let t = f.local(ValType::I32);
                f.set(t);
                self.leaf(f, clause.unwrap_or(u32::MAX), t, first);
                f.get(t);
            }
            Kind::Quant { .. } => self.quant(f, n),
            Kind::ToVal(x) => self.tri(f, x),
            _ => {
                self.val(f, n);
                self.call(f, "truthy");
            }
        }
    }

    /// Leaves `t == 2 ? 2 : 1 - t`.
    fn negate(&mut self, f: &mut Fb, t: u32) {
        f.get(t);
        f.c(2);
        f.i(I::I32Eq);
        f.i(I::If(RESULT_I32));
        f.c(2);
        f.i(I::Else);
        f.c(1);
        f.get(t);
        f.i(I::I32Sub);
        f.i(I::End);
    }

    /// `if t == stop { br depth with result }`: leaves an enclosing result block once decided.
    fn exit_if(&mut self, f: &mut Fb, t: u32, stop: i32, result: i32, depth: u32) {
        f.get(t);
        f.c(stop);
        f.i(I::I32Eq);
        f.i(I::If(BlockType::Empty));
        f.c(result);
        f.i(I::Br(depth));
        f.i(I::End);
    }

    /// The first unknown result keeps its reason: `if t == 2 && !u { u = 1; s = reason }`.
    fn remember_unknown(&mut self, f: &mut Fb, t: u32, u: u32, s: u32) {
        f.get(t);
        f.c(2);
        f.i(I::I32Eq);
        f.get(u);
        f.i(I::I32Eqz);
        f.i(I::I32And);
        f.i(I::If(BlockType::Empty));
        f.c(1);
        f.set(u);
        f.i(I::GlobalGet(pl::G_REASON));
        f.set(s);
        f.i(I::End);
    }

    /// Leaves a quantifier early with "undecided" (or, for `count`, absent); inside an `if` nested
    /// directly in the quantifier's result block.
    fn quant_undecided(
        &mut self,
        f: &mut Fb,
        count: bool,
        t: u32,
        clause: ClauseId,
        shown: Option<u32>,
    ) {
        if count {
            f.c(0);
        } else {
            f.c(2);
            f.set(t);
            self.leaf(f, clause, t, shown);
            f.c(2);
        }
        f.i(I::Br(1));
        f.i(I::End);
    }

    /// Quantifiers: booleans leave a three-valued result, `count` leaves a number value.
    fn quant(&mut self, f: &mut Fb, n: &Node) {
        let Kind::Quant {
            kind,
            key,
            var,
            source,
            body,
            clause,
        } = &n.kind
        else {
            f.c(0);
            return;
        };
        let count = *kind == Quant::Count;
        let (src, len, i, p, t, u, s, acc) = (
            f.local(ValType::I32),
            f.local(ValType::I32),
            f.local(ValType::I32),
            f.local(ValType::I32),
            f.local(ValType::I32),
            f.local(ValType::I32),
            f.local(ValType::I32),
            f.local(ValType::I32),
        );
        // Locals keep their values across iterations of an enclosing loop: reset them.
        for l in [i, u, acc] {
            f.c(0);
            f.set(l);
        }
        let lookup = match source {
            Source::Value(v) => {
                self.val(f, v);
                f.set(src);
                None
            }
            Source::Lookup(l) => {
                f.c(*l as i32);
                self.call(f, "lookup_table");
                f.set(src);
                Some(())
            }
        };
        let shown = if lookup.is_some() { None } else { Some(src) };
        f.i(I::Block(RESULT_I32)); // $out
        if lookup.is_some() {
            // n = table ? table.count : 0
            f.get(src);
            f.i(I::If(RESULT_I32));
            f.get(src);
            f.i(I::I32Load(mem(0)));
            f.i(I::Else);
            f.c(0);
            f.i(I::End);
            f.set(len);
        } else {
            // not known: unknown (count: absent)
            f.get(src);
            self.call(f, "known");
            f.i(I::I32Eqz);
            f.i(I::If(BlockType::Empty));
            self.quant_undecided(f, count, t, *clause, shown);
            // not a collection: fault
            f.get(src);
            f.i(I::I32Load8U(mem(0)));
            f.c(5);
            f.i(I::I32Sub);
            f.c(1);
            f.i(I::I32GtU);
            f.i(I::If(BlockType::Empty));
            f.c(3);
            self.call(f, "fault");
            self.quant_undecided(f, count, t, *clause, shown);
            f.get(src);
            self.call(f, "count_of");
            f.set(len);
        }
        let (vp, vi) = (f.local(ValType::I32), f.local(ValType::I32));
        let kl = key.map(|_| f.local(ValType::I32));
        f.vars.insert(*var, (vp, vi));
        if let (Some(k), Some(kl)) = (key, kl) {
            f.vars.insert(*k, (kl, vi));
        }
        f.i(I::Block(BlockType::Empty)); // $done
        f.i(I::Loop(BlockType::Empty));
        f.get(i);
        f.get(len);
        f.i(I::I32GeU);
        f.i(I::BrIf(1));
        // element address
        if lookup.is_some() {
            f.get(src);
            f.get(i);
            self.call(f, "lookup_entry");
            self.call(f, "entry_value");
        } else {
            f.get(i);
            f.i(I::If(RESULT_I32));
            f.get(src);
            f.get(p);
            self.call(f, "next");
            f.i(I::Else);
            f.get(src);
            self.call(f, "first");
            f.i(I::End);
        }
        f.i(I::LocalTee(p));
        f.set(vp);
        f.get(i);
        f.set(vi);
        if let Some(kl) = kl {
            // key: the map key, or the index as a number for lists
            f.get(src);
            f.i(I::I32Load8U(mem(0)));
            f.c(6);
            f.i(I::I32Eq);
            f.i(I::If(RESULT_I32));
            f.get(src);
            f.get(p);
            self.call(f, "key_of");
            f.i(I::Else);
            f.get(i);
            f.i(I::F64ConvertI32U);
            self.call(f, "num_new");
            f.i(I::End);
            f.set(kl);
        }
        if let Some(k) = key {
            f.scope.push(*k);
        }
        f.scope.push(*var);
        self.tri(f, body);
        f.scope.pop();
        if key.is_some() {
            f.scope.pop();
        }
        f.set(t);
        if count {
            f.get(t);
            f.c(1);
            f.i(I::I32Eq);
            f.get(acc);
            f.i(I::I32Add);
            f.set(acc);
        } else {
            let stop = i32::from(*kind != Quant::All);
            let result = i32::from(*kind == Quant::Any);
            self.exit_if(f, t, stop, result, 3);
            self.remember_unknown(f, t, u, s);
        }
        f.get(i);
        f.c(1);
        f.i(I::I32Add);
        f.set(i);
        f.i(I::Br(0));
        f.i(I::End); // loop
        f.i(I::End); // $done
        if count {
            f.get(acc);
            f.i(I::F64ConvertI32U);
            self.call(f, "num_new");
        } else {
            let end = i32::from(*kind != Quant::Any);
            f.get(u);
            f.i(I::If(RESULT_I32));
            f.get(s);
            f.i(I::GlobalSet(pl::G_REASON));
            f.c(2);
            f.i(I::Else);
            f.c(end);
            f.set(t);
            self.leaf(f, *clause, t, shown);
            f.c(end);
            f.i(I::End);
        }
        f.i(I::End); // $out
    }

    /// The global holding the result of an applicability test.
    fn selector(&mut self, s: Selector) -> u32 {
        let k = match self.selectors.iter().position(|x| *x == s) {
            Some(k) => k,
            None => {
                self.selectors.push(s);
                self.selectors.len() - 1
            }
        };
        self.prelude.globals().len() as u32 + k as u32
    }

    /// Computes every applicability test into its global (after the type is known).
    fn compute_selectors(&mut self, f: &mut Fb) {
        for (k, s) in self.selectors.clone().into_iter().enumerate() {
            match s {
                Selector::Provider(p) => {
                    f.i(I::GlobalGet(pl::G_PROV));
                    let at = self.data.string(&p);
                    f.c(at);
                    self.call(f, "ieq_lp");
                }
                Selector::Type(t) => {
                    f.i(I::GlobalGet(pl::G_TYPE));
                    let at = self.data.string(&t);
                    f.c(at);
                    self.call(f, "ieq_lp");
                }
                Selector::Glob(pi) => {
                    let addr = self.pattern_addr.get(pi).copied().unwrap_or(0);
                    f.c(addr);
                    f.i(I::GlobalGet(pl::G_TYPE));
                    f.c(4);
                    f.i(I::I32Add);
                    f.i(I::GlobalGet(pl::G_TYPE));
                    f.i(I::I32Load(mem(0)));
                    self.call(f, "dfa_match");
                }
            }
            f.i(I::GlobalSet(self.prelude.globals().len() as u32 + k as u32));
        }
    }

    fn finish(&mut self, name: String, f: Fb, params: Vec<ValType>, results: Vec<ValType>) -> u32 {
        self.funcs.push(GenFunc {
            name,
            params,
            results,
            locals: f.locals,
            body: f.code,
        });
        GEN + self.funcs.len() as u32 - 1
    }

    /// `$cond_i(root) -> outcome`.
    fn cond_fn(&mut self, r: &Rec) -> u32 {
        let mut f = Fb::new(1);
        for g in [pl::G_ERR, pl::G_REASON, pl::G_ERR_REC] {
            f.c(0);
            f.i(I::GlobalSet(g));
        }
        // applicability by provider and type
        f.i(I::Block(BlockType::Empty));
        for (prov, types) in &r.applies {
            f.i(I::Block(BlockType::Empty)); // this selector fails
            if prov != "*" {
                let g = self.selector(Selector::Provider(prov.clone()));
                f.i(I::GlobalGet(g));
                f.i(I::I32Eqz);
                f.i(I::BrIf(0));
            }
            for t in types {
                let sel = match t {
                    TypeMatch::Exact(x) => Selector::Type(x.clone()),
                    TypeMatch::Glob(pi) => Selector::Glob(*pi),
                };
                let g = self.selector(sel);
                f.i(I::GlobalGet(g));
                f.i(I::BrIf(1));
            }
            f.i(I::End);
        }
        f.c(0);
        f.i(I::Return);
        f.i(I::End);
        let t = f.local(ValType::I32);
        if let Some(w) = &r.when {
            self.tri(&mut f, w);
            f.set(t);
            f.i(I::GlobalGet(pl::G_ERR));
            f.i(I::If(BlockType::Empty));
            f.c(3);
            f.i(I::Return);
            f.i(I::End);
            f.get(t);
            f.c(1);
            f.i(I::I32Ne);
            f.i(I::If(BlockType::Empty));
            f.c(0);
            f.i(I::Return);
            f.i(I::End);
        }
        self.tri(&mut f, &r.cond);
        f.set(t);
        f.i(I::GlobalGet(pl::G_ERR));
        f.i(I::If(BlockType::Empty));
        f.c(3);
        f.i(I::Return);
        f.i(I::End);
        f.c(2);
        f.get(t);
        f.c(1);
        f.i(I::I32Eq);
        f.i(I::I32Sub);
        self.finish(
            format!("cond:{}", r.meta.id),
            f,
            vec![ValType::I32],
            vec![ValType::I32],
        )
    }

    /// `$rem_i(root, reason) -> string`.
    fn rem_fn(&mut self, r: &Rec) -> u32 {
        let mut f = Fb::new(2);
        f.reason = Some(1);
        let mut vals = Vec::new();
        for part in &r.remediation {
            if let TPart::Value(n) = part {
                vals.push(self.val_local(&mut f, n));
            }
        }
        let s = f.local(ValType::I32);
        self.call(&mut f, "text_begin");
        f.set(s);
        let mut vi = vals.into_iter();
        for part in &r.remediation {
            match part {
                TPart::Text(t) => {
                    let a = self.data.intern(t.as_bytes());
                    f.c(a as i32);
                    f.c(t.len() as i32);
                    self.call(&mut f, "wbytes");
                }
                TPart::Value(_) => {
                    if let Some(l) = vi.next() {
                        f.get(l);
                        self.call(&mut f, "wtext");
                    }
                }
            }
        }
        f.get(s);
        self.call(&mut f, "text_end");
        self.finish(
            format!("remediation:{}", r.meta.id),
            f,
            vec![ValType::I32; 2],
            vec![ValType::I32],
        )
    }

    /// Sets local `pa` to the address of the pointer of a fix path: the first choice whose value
    /// is present, else the fallback.
    fn fix_pointer(&mut self, f: &mut Fb, path: &FixPath, pa: u32) {
        let fallback = self.data.string(&path.fallback);
        f.c(fallback);
        f.set(pa);
        if path.choices.is_empty() {
            return;
        }
        f.i(I::Block(BlockType::Empty));
        for (n, ptr) in &path.choices {
            let v = self.val_local(f, n);
            f.get(v);
            self.call(f, "known");
            f.i(I::If(BlockType::Empty));
            let at = self.data.string(ptr);
            f.c(at);
            f.set(pa);
            f.i(I::Br(1));
            f.i(I::End);
        }
        f.i(I::End);
    }

    /// `$fix_i(root, reason) -> list of operations, or 0 when a value is missing`.
    fn fix_fn(&mut self, id: &str, ops: &[Fix]) -> u32 {
        let mut f = Fb::new(2);
        f.reason = Some(1);
        let vec = f.local(ValType::I32);
        self.call(&mut f, "vec_new");
        f.set(vec);
        let pa = f.local(ValType::I32);
        for op in ops {
            let path = match op {
                Fix::Set(p, _) | Fix::Append(p, _) | Fix::Remove(p) => p,
                Fix::RemoveWhere { ptr, .. } => ptr,
            };
            self.fix_pointer(&mut f, path, pa);
            match op {
                Fix::Set(_, n) | Fix::Append(_, n) => {
                    let v = self.val_local(&mut f, n);
                    f.get(v);
                    f.i(I::I32Eqz);
                    f.i(I::If(BlockType::Empty));
                    f.c(0);
                    f.i(I::Return);
                    f.i(I::End);
                    f.get(vec);
                    let name = if matches!(op, Fix::Set(..)) {
                        "set"
                    } else {
                        "append"
                    };
                    let o = self.data.string(name);
                    f.c(o);
                    f.get(pa);
                    f.get(v);
                    self.call(&mut f, "fix_op");
                    self.call(&mut f, "vec_push");
                }
                Fix::Remove(_) => {
                    f.get(vec);
                    let o = self.data.string("remove");
                    f.c(o);
                    f.get(pa);
                    f.c(0);
                    self.call(&mut f, "fix_op");
                    self.call(&mut f, "vec_push");
                }
                Fix::RemoveWhere {
                    list, var, cond, ..
                } => {
                    let l = self.val_local(&mut f, list);
                    let (i, vp, vi) = (
                        f.local(ValType::I32),
                        f.local(ValType::I32),
                        f.local(ValType::I32),
                    );
                    f.get(l);
                    self.call(&mut f, "known");
                    f.i(I::If(BlockType::Empty));
                    f.get(l);
                    f.i(I::I32Load8U(mem(0)));
                    f.c(5);
                    f.i(I::I32Eq);
                    f.i(I::If(BlockType::Empty));
                    f.get(l);
                    self.call(&mut f, "count_of");
                    f.set(i);
                    f.vars.insert(*var, (vp, vi));
                    f.i(I::Block(BlockType::Empty));
                    f.i(I::Loop(BlockType::Empty));
                    f.get(i);
                    f.i(I::I32Eqz);
                    f.i(I::BrIf(1));
                    f.get(i);
                    f.c(1);
                    f.i(I::I32Sub);
                    f.set(i);
                    f.get(l);
                    f.get(i);
                    self.call(&mut f, "index");
                    f.set(vp);
                    f.get(i);
                    f.set(vi);
                    f.scope.push(*var);
                    self.tri(&mut f, cond);
                    f.scope.pop();
                    f.c(1);
                    f.i(I::I32Eq);
                    f.i(I::If(BlockType::Empty));
                    f.get(vec);
                    let o = self.data.string("remove");
                    f.c(o);
                    f.get(pa);
                    f.get(i);
                    self.call(&mut f, "ptr_index");
                    f.c(0);
                    self.call(&mut f, "fix_op");
                    self.call(&mut f, "vec_push");
                    f.i(I::End);
                    f.i(I::Br(0));
                    f.i(I::End);
                    f.i(I::End);
                    f.i(I::End);
                    f.i(I::End);
                }
            }
        }
        f.get(vec);
        self.call(&mut f, "vec_array");
        self.finish(
            format!("fix:{id}"),
            f,
            vec![ValType::I32; 2],
            vec![ValType::I32],
        )
    }

    /// `$run(root) -> output address`.
    fn run_fn(&mut self, recs: &[(u32, Option<u32>, Option<u32>)]) -> u32 {
        let mut f = Fb::new(1);
        let n = recs.len();
        let slots: Vec<[u32; 5]> = (0..n)
            .map(|_| {
                [
                    f.local(ValType::I32),
                    f.local(ValType::I32),
                    f.local(ValType::I32),
                    f.local(ValType::I32),
                    f.local(ValType::I32),
                ]
            })
            .collect();
        for (&(cond, _, _), [o, r, e, _, _]) in recs.iter().zip(&slots) {
            f.get(0);
            f.i(I::Call(cond));
            f.i(I::LocalTee(*o));
            f.c(3);
            f.i(I::I32Eq);
            f.i(I::If(RESULT_I32));
            f.i(I::GlobalGet(pl::G_ERR_REC));
            f.i(I::Else);
            f.i(I::GlobalGet(pl::G_REASON));
            f.i(I::End);
            f.set(*r);
            f.i(I::GlobalGet(pl::G_ERR));
            f.set(*e);
        }
        for (&(_, rem, fix), [o, r, _, lr, lf]) in recs.iter().zip(&slots) {
            f.get(*o);
            f.c(2);
            f.i(I::I32Eq);
            f.i(I::If(BlockType::Empty));
            for (func, slot) in [(rem, lr), (fix, lf)] {
                if let Some(func) = func {
                    f.get(0);
                    f.get(*r);
                    f.i(I::Call(func));
                    f.set(*slot);
                }
            }
            f.i(I::End);
        }
        let out = f.local(ValType::I32);
        f.i(I::GlobalGet(pl::G_HEAP));
        f.set(out);
        f.c(0);
        self.call(&mut f, "w32");
        f.c(n as i32);
        self.call(&mut f, "w32");
        for [o, r, e, lr, lf] in &slots {
            for l in [o, r, e, lr, lf] {
                f.get(*l);
            }
            self.call(&mut f, "emit");
        }
        f.get(out);
        f.i(I::GlobalGet(pl::G_HEAP));
        f.get(out);
        f.i(I::I32Sub);
        f.i(I::I32Store(mem(0)));
        f.get(out);
        self.finish("run".into(), f, vec![ValType::I32], vec![ValType::I32])
    }

    fn exports(&mut self, run: u32) -> [u32; 4] {
        // tenet_abi_version
        let mut f = Fb::new(0);
        f.c(abi::ABI_VERSION as i32);
        let version = self.finish(abi::EXPORT_VERSION.into(), f, vec![], vec![ValType::I32]);
        // tenet_index_reserve(len): reset, reserve the index after static data
        let mut f = Fb::new(1);
        f.i(I::GlobalGet(pl::G_DATA_END));
        f.i(I::GlobalSet(pl::G_HEAP));
        f.get(0);
        self.call(&mut f, "alloc");
        f.i(I::GlobalSet(pl::G_INDEX));
        f.i(I::GlobalGet(pl::G_HEAP));
        f.i(I::GlobalSet(pl::G_BASE));
        f.i(I::GlobalGet(pl::G_INDEX));
        let index_reserve = self.finish(
            abi::EXPORT_INDEX_RESERVE.into(),
            f,
            vec![ValType::I32],
            vec![ValType::I32],
        );
        // tenet_reserve(len)
        let mut f = Fb::new(1);
        f.i(I::GlobalGet(pl::G_BASE));
        f.i(I::GlobalSet(pl::G_HEAP));
        f.get(0);
        self.call(&mut f, "alloc");
        let reserve = self.finish(
            abi::EXPORT_RESERVE.into(),
            f,
            vec![ValType::I32],
            vec![ValType::I32],
        );
        // tenet_eval(ptr, len)
        let mut f = Fb::new(2);
        f.get(0);
        f.i(I::F64Load(MemArg {
            offset: 0,
            align: 0,
            memory_index: 0,
        }));
        f.i(I::GlobalSet(pl::G_NOW));
        f.get(0);
        f.c(8);
        f.i(I::I32Add);
        f.i(I::GlobalSet(pl::G_PROV));
        f.i(I::GlobalGet(pl::G_PROV));
        f.c(4);
        f.i(I::I32Add);
        f.i(I::GlobalGet(pl::G_PROV));
        f.i(I::I32Load(mem(0)));
        f.i(I::I32Add);
        f.i(I::GlobalSet(pl::G_TYPE));
        f.i(I::GlobalGet(pl::G_TYPE));
        f.c(4);
        f.i(I::I32Add);
        f.i(I::GlobalGet(pl::G_TYPE));
        f.i(I::I32Load(mem(0)));
        f.i(I::I32Add);
        let root = f.local(ValType::I32);
        f.set(root);
        self.compute_selectors(&mut f);
        f.get(root);
        f.i(I::Call(run));
        let eval = self.finish(
            abi::EXPORT_EVAL.into(),
            f,
            vec![ValType::I32; 2],
            vec![ValType::I32],
        );
        [version, index_reserve, reserve, eval]
    }
}

/// Generates the module for a checked program, with its metadata.
pub fn generate(p: &Program, metadata: &Metadata) -> Result<Vec<u8>, CodegenError> {
    let prelude = Prelude::parse(pl::WASM).map_err(CodegenError::Prelude)?;
    let nprelude = prelude.len();
    let mut g = Gen {
        p,
        prelude,
        used: vec![false; nprelude],
        data: Data::default(),
        funcs: Vec::new(),
        pattern_addr: Vec::new(),
        selectors: Vec::new(),
    };
    g.pattern_addr = p.patterns.iter().map(|t| g.data.intern(t) as i32).collect();
    let mut recs = Vec::new();
    for r in &g.p.recs {
        let cond = g.cond_fn(r);
        let rem = Some(g.rem_fn(r));
        let fix = r.fix.as_ref().map(|ops| g.fix_fn(&r.meta.id, ops));
        recs.push((cond, rem, fix));
    }
    let run = g.run_fn(&recs);
    let exports = g.exports(run);
    // Index spaces.
    let mut remap = vec![u32::MAX; nprelude];
    let mut kept = Vec::new();
    for (i, u) in g.used.iter().enumerate() {
        if *u {
            remap[i] = kept.len() as u32;
            kept.push(i as u32);
        }
    }
    let base = kept.len() as u32;
    let resolve = |x: u32| {
        if x >= GEN {
            base + (x - GEN)
        } else {
            remap.get(x as usize).copied().unwrap_or(0)
        }
    };

    let mut types = TypeSection::new();
    let mut type_ids: HashMap<(Vec<ValType>, Vec<ValType>), u32> = HashMap::new();
    let mut type_of = |params: &[ValType], results: &[ValType], types: &mut TypeSection| -> u32 {
        let key = (params.to_vec(), results.to_vec());
        if let Some(t) = type_ids.get(&key) {
            return *t;
        }
        let id = type_ids.len() as u32;
        types
            .ty()
            .function(params.iter().copied(), results.iter().copied());
        type_ids.insert(key, id);
        id
    };
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    for &i in &kept {
        let (params, results) = g.prelude.signature(i);
        let t = type_of(&params, &results, &mut types);
        functions.function(t);
        g.prelude
            .copy_body(i, &remap, &mut code)
            .map_err(CodegenError::Prelude)?;
    }
    let mut names = wasm_encoder::NameMap::new();
    for (k, &i) in kept.iter().enumerate() {
        names.append(k as u32, pl::FUNCS.get(i as usize).copied().unwrap_or("?"));
    }
    for (k, gf) in g.funcs.iter().enumerate() {
        names.append(base + k as u32, &gf.name);
    }
    for gf in &g.funcs {
        let t = type_of(&gf.params, &gf.results, &mut types);
        functions.function(t);
        let mut f = Function::new_with_locals_types(gf.locals.iter().copied());
        for ins in &gf.body {
            match ins {
                I::Call(x) => f.instruction(&I::Call(resolve(*x))),
                other => f.instruction(other),
            };
        }
        f.instruction(&I::End);
        code.function(&f);
    }

    let data_end = (DATA_START + g.data.bytes.len() as u32 + 7) & !7;
    let mut globals = GlobalSection::new();
    for (i, gt) in g.prelude.globals().iter().enumerate() {
        let init = match (i as u32, gt) {
            (pl::G_HEAP | pl::G_BASE | pl::G_DATA_END, _) => ConstExpr::i32_const(data_end as i32),
            (_, ValType::I64) => ConstExpr::i64_const(0),
            (_, ValType::F64) => ConstExpr::f64_const(0.0.into()),
            _ => ConstExpr::i32_const(0),
        };
        globals.global(
            GlobalType {
                val_type: *gt,
                mutable: true,
                shared: false,
            },
            &init,
        );
    }
    for _ in &g.selectors {
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
    }
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: u64::from(data_end / 65536 + 1),
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut export = ExportSection::new();
    export.export(abi::EXPORT_MEMORY, ExportKind::Memory, 0);
    for (name, f) in [
        abi::EXPORT_VERSION,
        abi::EXPORT_INDEX_RESERVE,
        abi::EXPORT_RESERVE,
        abi::EXPORT_EVAL,
    ]
    .iter()
    .zip(exports)
    {
        export.export(name, ExportKind::Func, resolve(f));
    }
    let mut data = DataSection::new();
    data.active(
        0,
        &ConstExpr::i32_const(ADDR_FALSE),
        [value::tag::FALSE, value::tag::TRUE, value::tag::NULL],
    );
    if !g.data.bytes.is_empty() {
        data.active(
            0,
            &ConstExpr::i32_const(DATA_START as i32),
            g.data.bytes.iter().copied(),
        );
    }
    let meta = serde_json::to_vec(metadata).map_err(|e| CodegenError::Prelude(e.to_string()))?;

    let mut module = Module::new();
    module.section(&types);
    module.section(&functions);
    module.section(&memory);
    module.section(&globals);
    module.section(&export);
    module.section(&code);
    module.section(&data);
    module.section(&CustomSection {
        name: abi::METADATA_SECTION.into(),
        data: meta.into(),
    });
    let mut name_section = wasm_encoder::NameSection::new();
    name_section.functions(&names);
    module.section(&name_section);
    let bytes = module.finish();
    if cfg!(debug_assertions) {
        wasmparser::validate(&bytes).map_err(|e| CodegenError::Invalid(e.to_string()))?;
    }
    Ok(bytes)
}
