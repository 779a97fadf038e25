//! The generated functions: applicability selectors computed once per evaluation, then for each
//! recommendation its condition, remediation and fix functions, then `$run` and the exports.

use super::*;

impl Gen<'_> {
    /// The global holding the result of an applicability test.
    pub(super) fn selector(&mut self, s: Selector) -> u32 {
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
    pub(super) fn compute_selectors(&mut self, f: &mut Fb) {
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

    pub(super) fn finish(
        &mut self,
        name: String,
        f: Fb,
        params: Vec<ValType>,
        results: Vec<ValType>,
    ) -> u32 {
        self.funcs.push(GenFunc {
            name,
            params,
            results,
            locals: f.locals,
            body: f.code,
        });
        GEN + self.funcs.len() as u32 - 1
    }

    /// Leaves 1 on the stack when one of `applies`' selectors picks the resource, else 0.
    fn selects(&mut self, f: &mut Fb, applies: &[(String, Vec<TypeMatch>)]) {
        f.i(I::Block(RESULT_I32));
        for (prov, types) in applies {
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
                f.c(1);
                f.i(I::GlobalGet(g));
                f.i(I::BrIf(1));
                f.i(I::Drop);
            }
            f.i(I::End);
        }
        f.c(0);
        f.i(I::End);
    }

    /// `$cond_i(root) -> outcome`: the first variant whose selectors pick the resource decides.
    pub(super) fn cond_fn(&mut self, r: &Rec) -> u32 {
        let mut f = Fb::new(1);
        for g in [pl::G_ERR, pl::G_REASON, pl::G_ERR_REC] {
            f.c(0);
            f.i(I::GlobalSet(g));
        }
        let t = f.local(ValType::I32);
        for v in &r.variants {
            self.selects(&mut f, &v.applies);
            f.i(I::If(BlockType::Empty));
            self.decide(&mut f, v, t);
            f.i(I::End);
        }
        f.c(0);
        self.finish(
            format!("cond:{}", r.meta.id),
            f,
            vec![ValType::I32],
            vec![ValType::I32],
        )
    }

    /// Returns the outcome of one variant: its filter, then its condition.
    fn decide(&mut self, f: &mut Fb, v: &Variant, t: u32) {
        if let Some(w) = &v.when {
            self.tri(f, w);
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
        self.tri(f, &v.cond);
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
        f.i(I::Return);
    }

    /// `$rem_i(root, reason) -> string`: the remediation of the variant that decided.
    pub(super) fn rem_fn(&mut self, r: &Rec) -> u32 {
        let mut f = Fb::new(2);
        f.reason = Some(1);
        let s = f.local(ValType::I32);
        for v in &r.variants {
            self.selects(&mut f, &v.applies);
            f.i(I::If(BlockType::Empty));
            let mut vals = Vec::new();
            for part in &v.remediation {
                if let TPart::Value(n) = part {
                    vals.push(self.val_local(&mut f, n));
                }
            }
            self.call(&mut f, "text_begin");
            f.set(s);
            let mut vi = vals.into_iter();
            for part in &v.remediation {
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
            f.i(I::Return);
            f.i(I::End);
        }
        self.call(&mut f, "text_begin");
        self.call(&mut f, "text_end");
        self.finish(
            format!("remediation:{}", r.meta.id),
            f,
            vec![ValType::I32; 2],
            vec![ValType::I32],
        )
    }

    /// Sets local `pa` to the address of the pointer of a fix path: the first choice whose value
    /// is present, else the fallback; without a fallback, returns 0 (no fix).
    pub(super) fn fix_pointer(&mut self, f: &mut Fb, path: &FixPath, pa: u32) {
        let fallback = path.fallback.as_ref().map_or(0, |p| self.data.string(p));
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
        if path.fallback.is_none() {
            no_fix_if_zero(f, pa);
        }
    }

    /// `$fix_i(root, reason) -> list of operations, or 0 when a value is missing or the variant
    /// that decided has no fix`.
    pub(super) fn fix_fn(&mut self, r: &Rec) -> u32 {
        let mut f = Fb::new(2);
        f.reason = Some(1);
        let vec = f.local(ValType::I32);
        let pa = f.local(ValType::I32);
        for v in &r.variants {
            self.selects(&mut f, &v.applies);
            f.i(I::If(BlockType::Empty));
            match &v.fix {
                Some(ops) => {
                    self.call(&mut f, "vec_new");
                    f.set(vec);
                    self.fix_ops(&mut f, ops, vec, pa);
                    f.get(vec);
                    self.call(&mut f, "vec_array");
                }
                None => f.c(0),
            }
            f.i(I::Return);
            f.i(I::End);
        }
        f.c(0);
        self.finish(
            format!("fix:{}", r.meta.id),
            f,
            vec![ValType::I32; 2],
            vec![ValType::I32],
        )
    }

    /// The operations of one fix, pushed onto the list in local `vec`.
    fn fix_ops(&mut self, f: &mut Fb, ops: &[Fix], vec: u32, pa: u32) {
        for op in ops {
            let path = match op {
                Fix::Set(p, _) | Fix::Append(p, _) | Fix::Remove(p) => p,
                Fix::RemoveWhere { ptr, .. } => ptr,
            };
            self.fix_pointer(f, path, pa);
            match op {
                Fix::Set(_, n) | Fix::Append(_, n) => {
                    let v = self.val_local(f, n);
                    no_fix_if_zero(f, v);
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
                    self.call(f, "fix_op");
                    self.call(f, "vec_push");
                }
                Fix::Remove(_) => {
                    f.get(vec);
                    let o = self.data.string("remove");
                    f.c(o);
                    f.get(pa);
                    f.c(0);
                    self.call(f, "fix_op");
                    self.call(f, "vec_push");
                }
                Fix::RemoveWhere {
                    list, var, cond, ..
                } => {
                    let l = self.val_local(f, list);
                    let (i, vp, vi) = (
                        f.local(ValType::I32),
                        f.local(ValType::I32),
                        f.local(ValType::I32),
                    );
                    f.get(l);
                    self.call(f, "known");
                    f.i(I::If(BlockType::Empty));
                    f.get(l);
                    f.i(I::I32Load8U(mem(0)));
                    f.c(5);
                    f.i(I::I32Eq);
                    f.i(I::If(BlockType::Empty));
                    f.get(l);
                    self.call(f, "count_of");
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
                    self.call(f, "index");
                    f.set(vp);
                    f.get(i);
                    f.set(vi);
                    f.scope.push(*var);
                    self.tri(f, cond);
                    f.scope.pop();
                    f.c(1);
                    f.i(I::I32Eq);
                    f.i(I::If(BlockType::Empty));
                    f.get(vec);
                    let o = self.data.string("remove");
                    f.c(o);
                    f.get(pa);
                    f.get(i);
                    self.call(f, "ptr_index");
                    f.c(0);
                    self.call(f, "fix_op");
                    self.call(f, "vec_push");
                    f.i(I::End);
                    f.i(I::Br(0));
                    f.i(I::End);
                    f.i(I::End);
                    f.i(I::End);
                    f.i(I::End);
                }
            }
        }
    }

    /// `$run(root) -> output address`.
    pub(super) fn run_fn(&mut self, recs: &[(u32, Option<u32>, Option<u32>)]) -> u32 {
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

    pub(super) fn exports(&mut self, run: u32) -> [u32; 4] {
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

/// In a fix function: returns 0 (no fix) when `local` is 0 (a missing value or pointer).
fn no_fix_if_zero(f: &mut Fb, local: u32) {
    f.get(local);
    f.i(I::I32Eqz);
    f.i(I::If(BlockType::Empty));
    f.c(0);
    f.i(I::Return);
    f.i(I::End);
}
