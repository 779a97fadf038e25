//! Conditions and values: three-valued tests with their clause marks, values, negation and
//! quantifiers, emitted into the body of a generated function.

use super::*;

impl Gen<'_> {
    pub(super) fn leaf(&mut self, f: &mut Fb, clause: u32, t: u32, subject: Option<u32>) {
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
    pub(super) fn val(&mut self, f: &mut Fb, n: &Node) {
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

    pub(super) fn val_local(&mut self, f: &mut Fb, n: &Node) -> u32 {
        let l = f.local(ValType::I32);
        self.val(f, n);
        f.set(l);
        l
    }

    /// Emits a boolean node: leaves 0, 1 or 2.
    pub(super) fn tri(&mut self, f: &mut Fb, n: &Node) {
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
    pub(super) fn negate(&mut self, f: &mut Fb, t: u32) {
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
    pub(super) fn exit_if(&mut self, f: &mut Fb, t: u32, stop: i32, result: i32, depth: u32) {
        f.get(t);
        f.c(stop);
        f.i(I::I32Eq);
        f.i(I::If(BlockType::Empty));
        f.c(result);
        f.i(I::Br(depth));
        f.i(I::End);
    }

    /// The first unknown result keeps its reason: `if t == 2 && !u { u = 1; s = reason }`.
    pub(super) fn remember_unknown(&mut self, f: &mut Fb, t: u32, u: u32, s: u32) {
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
    pub(super) fn quant_undecided(
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
    pub(super) fn quant(&mut self, f: &mut Fb, n: &Node) {
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
}
