//! The WebAssembly back end: checked IR to one self-contained module (no imports).
//!
//! Layout of the output module, in function-index order: the prelude functions the generated code
//! reaches (copied from `tenet_stdlib::prelude` with their indices remapped), then one function per
//! recommendation for each of condition, remediation and fix, then `$run` and the exports. Static
//! data (literals, keys, pattern tables, texts) is interned into one data segment. The metadata
//! travels as JSON in the `tenet.metadata` custom section. `docs/abi.md` specifies the result.
//!
//! This file holds the generator's state and [`generate`]; `expr` emits conditions and values,
//! `functions` the functions and exports built from them, `prelude` links the stdlib prelude.

mod expr;
mod functions;
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
        let fix = r
            .variants
            .iter()
            .any(|v| v.fix.is_some())
            .then(|| g.fix_fn(r));
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
